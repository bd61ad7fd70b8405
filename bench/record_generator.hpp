#pragma once

// Realistic CPA usage records (spec cpa-usage-queue §1) for benchmarks: a deterministic mix of
// providers, models, accounts, keys, endpoints, failures and sizes (0.5 to 4 KB).

#include <cstdint>
#include <random>
#include <string>

namespace cpamd::bench
{

// How keys, accounts and models go together.
enum class spread
{
    // Every draw independent: any key, any of the 40 accounts, any model (the ingest benchmark's
    // records, unchanged since its first figures).
    independent,
    // As CPA's traffic is: an account (an auth file) is a credential of one provider, so the 40
    // are 10 per provider and serve only that provider's models; a client key sends 80 % of its
    // requests to one home provider (key number modulo 4) and the rest anywhere; within a
    // provider the first model takes half the requests, the second a third, the third the rest.
    by_provider,
};

class record_generator
{
public:
    // `api_keys` distinct client keys are drawn from (12 unless a bench asks for another spread);
    // with the defaults the records are exactly those of earlier runs.
    explicit record_generator(std::uint64_t seed, std::uint64_t api_keys = 12, spread s = spread::independent)
        : rng_(seed), api_keys_(api_keys), spread_(s)
    {
    }
    // Record number `i`, timestamped `start_ms + i * step_ms`.
    std::string next(std::int64_t ts_ms);

private:
    std::mt19937_64 rng_;
    std::uint64_t api_keys_;
    spread spread_;
    std::uint64_t n_ = 0;
};

} // namespace cpamd::bench
