#pragma once

// Builds one hour's usage rows (usage_rows.hpp) from its events, for project_hour: add() every
// event in time order, then write() in the projecting transaction.

#include "task_counter.hpp"

#include <array>
#include <cpamd/pricing/usd_sum.hpp>
#include <cpamd/store/latency_histogram.hpp>
#include <cpamd/store/usage_rows.hpp>
#include <map>
#include <optional>

namespace cpamd::store
{

// The key columns of proj_usage_hour (and proj_usage_span) after kind and hour, in the order of
// usage_hour_row's dims and usage_projection's row keys.
inline constexpr const char* usage_key_columns =
    "api_key, auth_index, auth_file_snapshot, source_hash, source, account_snapshot, auth_label_snapshot, "
    "auth_provider_snapshot, auth_project_id_snapshot, provider, failed";

class usage_projection
{
public:
    usage_projection() : key_tasks_(rows_), credential_tasks_(rows_) {}

    struct event_fields
    {
        std::int64_t ts_ns = 0;
        // as usage_hour_row's dims
        std::int64_t api_key = 0, auth_index = 0, auth_file_snapshot = 0, source_hash = 0, source = 0,
                     account_snapshot = 0, auth_label_snapshot = 0, auth_provider_snapshot = 0,
                     auth_project_id_snapshot = 0, provider = 0;
        bool failed = false;
        const std::int64_t* tokens = nullptr; // the 8 counters
        std::int64_t normalized_input = 0, cost_cache_read = 0;
        double usd = 0;
        std::optional<std::int64_t> latency_ms, ttft_ms;
    };
    void add(const event_fields& e);

    // Writes hour `h`'s rows (project_hour has deleted the old ones).
    void write(connection& db, std::int64_t h);

private:
    // kind, then the dims in usage_hour_row's order, then failed
    struct row_key
    {
        std::array<std::int64_t, 12> v{};
        bool failed() const { return v[11] != 0; }
        friend auto operator<=>(const row_key&, const row_key&) = default;
    };
    struct sums
    {
        std::int64_t calls = 0;
        std::int64_t tokens[8] = {};
        std::int64_t normalized_input = 0, cost_cache_read = 0;
        pricing::usd_sum usd;
        std::int64_t latency_samples = 0, latency_sum = 0, ttft_samples = 0, ttft_sum = 0;
        std::int64_t zero_token_calls = 0, last_seen_ns = 0, tasks = 0;
        latency_histogram latency, ttft;
    };
    void add_to(const row_key& k, const event_fields& e);

    std::map<row_key, sums> rows_;
    task_counter<row_key, sums> key_tasks_, credential_tasks_;
};

// Deletes the usage rows of the hours [first_hour, end_hour).
void delete_usage_rows(connection& db, std::int64_t first_hour, std::int64_t end_hour);

} // namespace cpamd::store
