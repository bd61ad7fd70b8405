#pragma once

// Realistic CPA usage records (spec cpa-usage-queue §1) for benchmarks: a deterministic mix of
// providers, models, accounts, keys, endpoints, failures and sizes (0.5 to 4 KB).

#include <cstdint>
#include <random>
#include <string>

namespace cpamd::bench
{

class record_generator
{
public:
    explicit record_generator(std::uint64_t seed) : rng_(seed) {}
    // Record number `i`, timestamped `start_ms + i * step_ms`.
    std::string next(std::int64_t ts_ms);

private:
    std::mt19937_64 rng_;
    std::uint64_t n_ = 0;
};

} // namespace cpamd::bench
