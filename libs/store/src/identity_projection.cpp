#include "identity_projection.hpp"

#include <cpamd/core/floor_div.hpp>
#include <fmt/format.h>
#include <string>
#include <vector>

namespace cpamd::store
{

std::int64_t first_identity_hour(std::int64_t now_hour)
{
    return (floor_div(now_hour, 24) - 1) * 24;
}

std::string_view identity_table(identity_grain grain)
{
    return grain == identity_grain::day ? "proj_identity_day" : "proj_identity_hour";
}

std::string_view identity_period_column(identity_grain grain)
{
    return grain == identity_grain::day ? "day" : "hour";
}

void identity_projection::add(const event_fields& e)
{
    row_key k{};
    std::copy(e.identity.begin(), e.identity.end(), k.begin());
    k[identity_count] = e.billing_model;
    k[identity_count + 1] = e.service_tier;
    k[identity_count + 2] = e.context_floor;
    auto& r = rows_[k];
    r.calls++;
    for (std::size_t i = 0; i < 8; ++i)
        r.tokens[i] += e.tokens[i];
    for (std::size_t i = 0; i < 5; ++i)
        r.cost[i] += e.cost[i];
    const bool failed = e.identity[identity_count - 1] != 0;
    if (!failed && e.tokens[7] == 0)
        r.zero_token_calls++;
    if (e.latency_ms && *e.latency_ms > 0)
        r.latency_samples++, r.latency_sum += *e.latency_ms;
    if (std::pair(e.ts_ns, e.id) > std::pair(r.last_seen_ns, r.last_event_id))
        r.last_seen_ns = e.ts_ns, r.last_event_id = e.id;
}

void identity_projection::write(connection& db, identity_grain grain, std::int64_t period) const
{
    const auto table = identity_table(grain);
    const auto column = identity_period_column(grain);
    auto remove = db.prepare(fmt::format("DELETE FROM {} WHERE {} = ?1", table, column));
    remove.bind(1, period).run();
    constexpr std::size_t values = 1 + identity_count + 3 + 1 + 8 + 5 + 5;
    auto insert = db.prepare(fmt::format(
        "INSERT INTO {} ({}, {}, billing_model, service_tier, context_floor, calls, input_tokens, "
        "output_tokens, reasoning_tokens, cached_tokens, cache_tokens, cache_read_tokens, "
        "cache_creation_tokens, total_tokens, cost_uncached, cost_cache_read, cost_cache_write, cost_output, "
        "cost_reasoning, latency_samples, latency_sum, zero_token_calls, last_seen_ns, last_event_id) "
        "VALUES ({})",
        table,
        column,
        identity_columns,
        fmt::join(std::vector<std::string_view>(values, "?"), ", ")
    ));
    for (const auto& [k, r] : rows_)
    {
        insert.reset();
        int p = 1;
        insert.bind(p++, period);
        for (auto v : k)
            insert.bind(p++, v);
        insert.bind(p++, r.calls);
        for (auto v : r.tokens)
            insert.bind(p++, v);
        for (auto v : r.cost)
            insert.bind(p++, v);
        for (auto v : {r.latency_samples, r.latency_sum, r.zero_token_calls, r.last_seen_ns, r.last_event_id})
            insert.bind(p++, v);
        insert.run();
    }
}

void delete_identity_hour_rows(connection& db, std::int64_t first_hour, std::int64_t end_hour)
{
    auto s = db.prepare("DELETE FROM proj_identity_hour WHERE hour >= ?1 AND hour < ?2", true);
    s.bind(1, first_hour).bind(2, end_hour).run();
}

void prune_identity_hours(connection& db, std::int64_t first_kept_hour)
{
    // Through the rows' own index: the marks of hours that hold rows, then the rows (an hour
    // without events has no rows, and its mark stays true).
    auto unmark = db.prepare(
        "UPDATE proj_hours SET identity_rows = 0 WHERE hour IN "
        "(SELECT DISTINCT hour FROM proj_identity_hour WHERE hour < ?1)",
        true
    );
    unmark.bind(1, first_kept_hour).run();
    delete_identity_hour_rows(db, INT64_MIN, first_kept_hour);
}

} // namespace cpamd::store
