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
    // `api_keys` distinct client keys are drawn from (12 unless a bench asks for another spread);
    // with the default the records are exactly those of earlier runs.
    explicit record_generator(std::uint64_t seed, std::uint64_t api_keys = 12)
        : rng_(seed), api_keys_(api_keys)
    {
    }
    // Record number `i`, timestamped `start_ms + i * step_ms`.
    std::string next(std::int64_t ts_ms);

private:
    std::mt19937_64 rng_;
    std::uint64_t api_keys_;
    std::uint64_t n_ = 0;
};

} // namespace cpamd::bench
