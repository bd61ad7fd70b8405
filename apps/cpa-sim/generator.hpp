#pragma once

// Synthetic CPA traffic: usage records shaped like spec §1 (keys in CPA's order, provider token
// semantics, failures with bodies, shared request ids on retries), produced at a steady rate.

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cpamd::sim
{

struct sim_context;

struct generated_record
{
    std::string json;        // the record, exactly as enqueued
    std::string error_event; // for the `errors` channel; empty on success
};

// Deterministic for a given seed, except for the timestamp (wall clock). With `v7_3_keys` the
// records also carry CPA v7.3's `response_model` (omitempty) and `stream`; without it they are
// exactly v7.2.140's (and draw the same random numbers).
class record_factory
{
public:
    explicit record_factory(std::uint64_t seed, bool v7_3_keys = false);
    generated_record next(std::chrono::system_clock::time_point now);

private:
    struct account
    {
        std::string source;
        std::string auth_index;
        std::string auth_type;
    };
    struct provider_profile
    {
        std::string provider;
        std::string executor;
        std::string semantics;                                   // "openai", "gemini", "claude"
        std::vector<std::pair<std::string, std::string>> models; // model, alias
        std::vector<std::string> endpoints;
        std::vector<account> accounts;
        std::string default_tier;
    };

    std::uint64_t below(std::uint64_t n) { return n == 0 ? 0 : rng_() % n; }
    bool chance(int percent) { return below(100) < static_cast<std::uint64_t>(percent); }
    std::string hex(std::size_t chars);

    std::mt19937_64 rng_;
    bool v7_3_keys_ = false;
    std::vector<provider_profile> providers_;
    std::string last_request_id_;
    std::size_t last_provider_ = 0;
    bool last_failed_ = false;
};

// 16 hex chars: the first 8 bytes of SHA-256 of `seed`, like CPA's auth_index.
std::string auth_index_for(const std::string& seed);
std::string sha256_hex(const std::string& data);

// (model id, owned_by) for /v1/models.
const std::vector<std::pair<std::string, std::string>>& model_catalogue();

// Whether a CPA of version `v` ("7.3.0", "v7.3.1-rc1", ...) sends the v7.3 record keys; false for
// anything that does not start with a version number.
bool sends_v7_3_keys(std::string_view v);

// Produces ctx->opts.rate records per second until --total is reached. Paused while ctx->paused.
// The records have the keys of --cpa-version (sends_v7_3_keys).
boost::asio::awaitable<void> run_generator(sim_context* ctx);

// Produces one record now (generator or control API), honouring usage-statistics-enabled.
void produce_record(sim_context& ctx, std::string json, std::string_view origin);

} // namespace cpamd::sim
