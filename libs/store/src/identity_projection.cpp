#include "identity_projection.hpp"

#include <algorithm>
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
    sums one;
    one.calls = 1;
    std::copy(e.tokens, e.tokens + 8, one.tokens);
    std::copy(e.cost, e.cost + 5, one.cost);
    const bool failed = e.identity[identity_count - 1] != 0;
    one.zero_token_calls = !failed && e.tokens[7] == 0 ? 1 : 0;
    if (e.latency_ms && *e.latency_ms > 0)
        one.latency_samples = 1, one.latency_sum = *e.latency_ms;
    one.last_seen_ns = one.first_seen_ns = e.ts_ns, one.last_event_id = e.id;
    merge(k, one);
}

void identity_projection::add(const identity_row& in)
{
    const row_key k{
        in.api_key,
        in.auth_index,
        in.source,
        in.source_hash,
        in.auth_file_snapshot,
        in.account_snapshot,
        in.auth_label_snapshot,
        in.auth_provider_snapshot,
        in.auth_project_id_snapshot,
        in.provider,
        in.endpoint,
        in.model,
        in.failed ? 1 : 0,
        in.billing_model,
        in.service_tier,
        in.context_floor};
    sums row;
    row.calls = in.calls;
    std::copy(std::begin(in.tokens), std::end(in.tokens), row.tokens);
    std::copy(std::begin(in.cost), std::end(in.cost), row.cost);
    row.latency_samples = in.latency_samples, row.latency_sum = in.latency_sum;
    row.zero_token_calls = in.zero_token_calls;
    row.last_seen_ns = in.last_seen_ns, row.last_event_id = in.last_event_id;
    row.first_seen_ns = in.first_seen_ns;
    merge(k, row);
}

void identity_projection::merge(const row_key& k, const sums& in)
{
    auto& r = rows_[k];
    r.first_seen_ns = r.calls == 0 ? in.first_seen_ns : std::min(r.first_seen_ns, in.first_seen_ns);
    r.calls += in.calls;
    for (std::size_t i = 0; i < 8; ++i)
        r.tokens[i] += in.tokens[i];
    for (std::size_t i = 0; i < 5; ++i)
        r.cost[i] += in.cost[i];
    r.latency_samples += in.latency_samples, r.latency_sum += in.latency_sum;
    r.zero_token_calls += in.zero_token_calls;
    if (std::pair(in.last_seen_ns, in.last_event_id) > std::pair(r.last_seen_ns, r.last_event_id))
        r.last_seen_ns = in.last_seen_ns, r.last_event_id = in.last_event_id;
}

void identity_projection::write(connection& db, identity_grain grain, std::int64_t period) const
{
    const std::string_view columns[] = {identity_period_column(grain)};
    const std::int64_t values[] = {period};
    write_rows(db, identity_table(grain), columns, values);
}

void identity_projection::write(connection& db, identity_block b) const
{
    constexpr std::string_view columns[] = {"level", "block"};
    const std::int64_t values[] = {b.level, b.block};
    write_rows(db, "proj_identity_block", columns, values);
    auto made = db.prepare("INSERT OR REPLACE INTO proj_blocks (level, block) VALUES (?1, ?2)");
    made.bind(1, std::int64_t{b.level}).bind(2, b.block).run();
}

void identity_projection::write_rows(
    connection& db,
    std::string_view table,
    std::span<const std::string_view> key_columns,
    std::span<const std::int64_t> key_values
) const
{
    std::vector<std::string> key_match;
    for (std::size_t i = 0; i < key_columns.size(); ++i)
        key_match.push_back(fmt::format("{} = ?{}", key_columns[i], i + 1));
    auto remove = db.prepare(fmt::format("DELETE FROM {} WHERE {}", table, fmt::join(key_match, " AND ")));
    for (std::size_t i = 0; i < key_values.size(); ++i)
        remove.bind(static_cast<int>(i + 1), key_values[i]);
    remove.run();
    const std::size_t values = key_values.size() + identity_count + 3 + 1 + 8 + 5 + 6;
    auto insert = db.prepare(fmt::format(
        "INSERT INTO {} ({}, {}, {}) VALUES ({})",
        table,
        fmt::join(key_columns, ", "),
        identity_columns,
        identity_value_columns,
        fmt::join(std::vector<std::string_view>(values, "?"), ", ")
    ));
    for (const auto& [k, r] : rows_)
    {
        insert.reset();
        int p = 1;
        for (auto v : key_values)
            insert.bind(p++, v);
        for (auto v : k)
            insert.bind(p++, v);
        insert.bind(p++, r.calls);
        for (auto v : r.tokens)
            insert.bind(p++, v);
        for (auto v : r.cost)
            insert.bind(p++, v);
        for (auto v :
             {r.latency_samples,
              r.latency_sum,
              r.zero_token_calls,
              r.last_seen_ns,
              r.last_event_id,
              r.first_seen_ns})
            insert.bind(p++, v);
        insert.run();
    }
}

namespace
{

// Whether the days [first_day, end_day) are all projected (a block's halves at level 1).
bool days_projected(connection& db, std::int64_t first_day, std::int64_t end_day)
{
    auto s = db.prepare("SELECT count(*) FROM proj_days WHERE day >= ?1 AND day < ?2", true);
    s.bind(1, first_day).bind(2, end_day);
    return s.step() && s.int64(0) == end_day - first_day;
}

bool block_made(connection& db, identity_block b)
{
    auto s = db.prepare("SELECT 1 FROM proj_blocks WHERE level = ?1 AND block = ?2", true);
    s.bind(1, std::int64_t{b.level}).bind(2, b.block);
    return s.step();
}

} // namespace

void make_identity_blocks(connection& db, std::int64_t d)
{
    for (int level = 1; level <= max_identity_block_level; ++level)
    {
        const identity_block b{level, floor_div(d, std::int64_t{1} << level)};
        const identity_block halves[] = {{level - 1, b.block * 2}, {level - 1, b.block * 2 + 1}};
        const bool ready = level == 1 ? days_projected(db, b.first_day(), b.end_day())
                                      : block_made(db, halves[0]) && block_made(db, halves[1]);
        if (!ready)
            return;
        identity_projection rows;
        const auto add = [&](const identity_row& r) { rows.add(r); };
        if (level == 1)
            for_each_identity_row(db, identity_grain::day, b.first_day(), b.end_day(), "", add);
        else
            for (const auto& half : halves)
                for_each_identity_block_row(db, half, "", add);
        rows.write(db, b);
    }
}

void delete_identity_blocks(connection& db, std::int64_t first_day, std::int64_t end_day)
{
    if (first_day >= end_day)
        return;
    for (const char* table : {"proj_identity_block", "proj_blocks"})
    {
        auto s = db.prepare(
            fmt::format("DELETE FROM {} WHERE level = ?1 AND block >= ?2 AND block <= ?3", table), true
        );
        for (int level = 1; level <= max_identity_block_level; ++level)
        {
            s.reset();
            s.bind(1, std::int64_t{level});
            s.bind(2, floor_div(first_day, std::int64_t{1} << level));
            s.bind(3, floor_div(end_day - 1, std::int64_t{1} << level));
            s.run();
        }
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
