#pragma once

// The process's own resource use, read from /proc/self (Linux), in the units the Prometheus
// process_* conventions use. Fields that cannot be read stay 0.

#include <cstdint>

namespace cpamd::ops
{

struct process_stats
{
    double cpu_seconds = 0; // user + system
    std::uint64_t resident_bytes = 0;
    std::uint64_t virtual_bytes = 0;
    std::uint64_t open_fds = 0;
    std::uint64_t max_fds = 0;     // the soft RLIMIT_NOFILE
    double start_time_seconds = 0; // Unix time the process started
    std::uint64_t threads = 0;
};

process_stats read_process_stats();

} // namespace cpamd::ops
