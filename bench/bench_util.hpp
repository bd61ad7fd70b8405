#pragma once

// Small measuring helpers the benchmarks share.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <system_error>

namespace cpamd::bench
{

using clock_type = std::chrono::steady_clock;

inline double seconds_since(clock_type::time_point t)
{
    return std::chrono::duration<double>(clock_type::now() - t).count();
}

// The file's size in bytes, 0 when it does not exist (a WAL after a TRUNCATE checkpoint).
inline std::uint64_t size_of(const std::filesystem::path& p)
{
    std::error_code ec;
    auto n = std::filesystem::file_size(p, ec);
    return ec ? 0 : n;
}

} // namespace cpamd::bench
