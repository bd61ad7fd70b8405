#include "checked_sum.hpp"
#include "rollup_delta.hpp"

#include <cpamd/core/floor_div.hpp>
#include <cpamd/store/range_totals.hpp>

namespace cpamd::store
{
namespace
{

constexpr std::int64_t ns_per_hour = 3600LL * 1000 * 1000 * 1000;

constexpr const char* token_columns =
    "input_tokens, output_tokens, reasoning_tokens, cached_tokens, cache_tokens, cache_read_tokens, "
    "cache_creation_tokens, total_tokens, cost_uncached, cost_cache_read, cost_cache_write, cost_output, "
    "cost_reasoning";

void add_rollup(range_totals& t, bool failed, const rollup_sums& r, std::string_view hist)
{
    add_checked(t.calls, r.calls);
    if (failed)
        add_checked(t.failures, r.calls);
    add_checked(t.latency_count, r.latency_count);
    add_checked(t.latency_sum, r.latency_sum);
    latency_histogram h;
    if (h.decode(hist))
        t.latency.merge(h);
    for (int i = 0; i < 8; ++i)
        add_checked(t.tokens[i], r.tokens[i]);
    for (int i = 0; i < 5; ++i)
        add_checked(t.cost_tokens[i], r.cost[i]);
}

} // namespace

range_totals& range_totals::operator+=(const range_totals& o)
{
    add_checked(calls, o.calls);
    add_checked(failures, o.failures);
    for (int i = 0; i < 8; ++i)
        add_checked(tokens[i], o.tokens[i]);
    for (int i = 0; i < 5; ++i)
        add_checked(cost_tokens[i], o.cost_tokens[i]);
    add_checked(latency_count, o.latency_count);
    add_checked(latency_sum, o.latency_sum);
    latency.merge(o.latency);
    return *this;
}

range_totals raw_totals_between(connection& db, std::int64_t from_ns, std::int64_t to_ns)
{
    range_totals t;
    if (from_ns >= to_ns)
        return t;
    // Row by row: the histogram needs every latency, and an edge is at most two hours of events.
    auto s = db.prepare(
        std::string("SELECT failed, latency_ms, ") + token_columns +
        " FROM events WHERE ts_ns >= ?1 AND ts_ns < ?2"
    );
    s.bind(1, from_ns).bind(2, to_ns);
    while (s.step())
    {
        t.calls++;
        t.failures += s.int64(0) != 0;
        if (!s.is_null(1))
        {
            t.latency_count++;
            add_checked(t.latency_sum, s.int64(1));
            t.latency.add(s.int64(1));
        }
        for (int i = 0; i < 8; ++i)
            add_checked(t.tokens[i], s.int64(2 + i));
        for (int i = 0; i < 5; ++i)
            add_checked(t.cost_tokens[i], s.int64(10 + i));
    }
    return t;
}

range_totals totals_between(connection& db, std::int64_t from_ns, std::int64_t to_ns)
{
    if (from_ns >= to_ns)
        return {};
    // Whole hours inside the range: [first_hour, end_hour).
    std::int64_t first_hour = floor_div(from_ns + ns_per_hour - 1, ns_per_hour);
    std::int64_t end_hour = floor_div(to_ns, ns_per_hour);
    if (first_hour >= end_hour)
        return raw_totals_between(db, from_ns, to_ns);

    range_totals t = raw_totals_between(db, from_ns, first_hour * ns_per_hour);
    t += raw_totals_between(db, end_hour * ns_per_hour, to_ns);

    auto s = db.prepare(
        std::string("SELECT calls, failed, latency_count, latency_sum, latency_hist, ") + token_columns +
        " FROM rollup_hour WHERE hour >= ?1 AND hour < ?2"
    );
    s.bind(1, first_hour).bind(2, end_hour);
    while (s.step())
    {
        rollup_sums r;
        r.calls = s.int64(0);
        r.latency_count = s.int64(2);
        r.latency_sum = s.int64(3);
        for (int i = 0; i < 8; ++i)
            r.tokens[i] = s.int64(5 + i);
        for (int i = 0; i < 5; ++i)
            r.cost[i] = s.int64(13 + i);
        add_rollup(t, s.int64(1) != 0, r, s.blob(4));
    }
    // Deltas the writer has not folded yet (bounded: see rollup_mode::defer).
    for_each_pending_delta(
        db,
        [&](const rollup_key& k, const rollup_sums& r, std::string_view hist)
        {
            if (k.hour >= first_hour && k.hour < end_hour)
                add_rollup(t, k.failed != 0, r, hist);
        }
    );
    return t;
}

} // namespace cpamd::store
