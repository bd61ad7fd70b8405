#include "rollup_delta.hpp"

#include <cpamd/store/rollup_rows.hpp>

namespace cpamd::store
{
namespace
{

void copy_key(rollup_row& row, const rollup_key& k)
{
    row.hour = k.hour, row.model = k.model, row.provider = k.provider, row.auth_index = k.auth_index;
    row.endpoint = k.endpoint, row.failed = k.failed != 0;
    row.billing_model = k.billing_model, row.service_tier = k.service_tier,
    row.context_floor = k.context_floor;
}

void copy_sums(rollup_row& row, const rollup_sums& r)
{
    row.calls = r.calls;
    for (int i = 0; i < 8; ++i)
        row.tokens[i] = r.tokens[i];
    for (int i = 0; i < 5; ++i)
        row.cost[i] = r.cost[i];
    row.latency_count = r.latency_count, row.latency_sum = r.latency_sum;
    row.ttft_count = r.ttft_count, row.ttft_sum = r.ttft_sum;
}

} // namespace

void for_each_rollup_row(
    connection& db,
    std::int64_t first_hour,
    std::int64_t end_hour,
    const std::function<void(const rollup_row&)>& f
)
{
    if (first_hour >= end_hour)
        return;
    auto s = db.prepare(R"sql(
SELECT hour, model, provider, auth_index, endpoint, failed, billing_model, service_tier, context_floor,
       calls, input_tokens, output_tokens, reasoning_tokens, cached_tokens, cache_tokens, cache_read_tokens,
       cache_creation_tokens, total_tokens, cost_uncached, cost_cache_read, cost_cache_write, cost_output,
       cost_reasoning, latency_count, latency_sum, ttft_count, ttft_sum, latency_hist
FROM rollup_hour WHERE hour >= ?1 AND hour < ?2
)sql");
    s.bind(1, first_hour).bind(2, end_hour);
    rollup_row row;
    while (s.step())
    {
        row.hour = s.int64(0), row.model = s.int64(1), row.provider = s.int64(2), row.auth_index = s.int64(3);
        row.endpoint = s.int64(4), row.failed = s.int64(5) != 0;
        row.billing_model = s.int64(6), row.service_tier = s.int64(7), row.context_floor = s.int64(8);
        row.calls = s.int64(9);
        for (int i = 0; i < 8; ++i)
            row.tokens[i] = s.int64(10 + i);
        for (int i = 0; i < 5; ++i)
            row.cost[i] = s.int64(18 + i);
        row.latency_count = s.int64(23), row.latency_sum = s.int64(24);
        row.ttft_count = s.int64(25), row.ttft_sum = s.int64(26);
        row.latency_hist = s.blob(27);
        f(row);
    }
    for_each_pending_delta(
        db,
        [&](const rollup_key& k, const rollup_sums& r, std::string_view hist)
        {
            if (k.hour < first_hour || k.hour >= end_hour)
                return;
            rollup_row delta;
            copy_key(delta, k);
            copy_sums(delta, r);
            delta.latency_hist = hist;
            f(delta);
        }
    );
}

std::map<std::int64_t, std::int64_t> calls_per_hour(connection& db)
{
    std::map<std::int64_t, std::int64_t> out;
    auto s = db.prepare("SELECT hour, sum(calls) FROM rollup_hour GROUP BY hour");
    while (s.step())
        out[s.int64(0)] += s.int64(1);
    for_each_pending_delta(
        db, [&](const rollup_key& k, const rollup_sums& r, std::string_view) { out[k.hour] += r.calls; }
    );
    return out;
}

} // namespace cpamd::store
