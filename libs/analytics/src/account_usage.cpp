#include "event_items.hpp"
#include "event_scan.hpp"
#include "monitoring_groups.hpp"
#include "range_reader.hpp"

#include <algorithm>
#include <cpamd/analytics/account_usage.hpp>
#include <cpamd/analytics/dashboard_rules.hpp>
#include <cpamd/core/floor_div.hpp>
#include <cpamd/store/event_count.hpp>
#include <cpamd/store/event_reader.hpp>
#include <cpamd/store/price_repository.hpp>
#include <cpamd/store/rate_memo.hpp>
#include <fmt/format.h>
#include <tuple>

namespace cpamd::analytics
{
namespace
{

using store::dim_kind;
constexpr std::size_t recent_requests = 10;

// A target as dim ids: each given field is the set of ids its value can be (empty: no event
// has it, so nothing matches).
class compiled_target
{
public:
    compiled_target(store::connection& db, const account_target& t)
    {
        auto one = [&](const std::optional<std::string>& v, dim_kind kind, const char* column)
        {
            if (!v)
                return;
            auto ids = dim_ids(db, kind, {*v});
            fields_.push_back({column, ids});
        };
        if (t.account_key)
        {
            std::set<std::int64_t> ids;
            for (auto kind : {dim_kind::snapshot, dim_kind::source, dim_kind::auth_index})
                ids.merge(dim_ids(db, kind, {*t.account_key}));
            fields_.push_back({account_column, ids});
        }
        one(t.account_snapshot, dim_kind::snapshot, "account_snapshot");
        one(t.auth_file_snapshot, dim_kind::snapshot, "auth_file_snapshot");
        one(t.auth_provider_snapshot, dim_kind::snapshot, "auth_provider_snapshot");
        one(t.auth_index, dim_kind::auth_index, "auth_index");
        one(t.source, dim_kind::source, "source");
    }

    bool matches_nothing() const
    {
        return fields_.empty() ||
               std::any_of(fields_.begin(), fields_.end(), [](const field& f) { return f.ids.empty(); });
    }

    // The conjunction, over the columns of `events`.
    std::string sql() const
    {
        std::string out;
        for (const auto& f : fields_)
            out += fmt::format("{}{} IN {}", out.empty() ? "" : " AND ", f.column, sql_id_list(f.ids));
        return out;
    }

    bool matches(const scan_row& r) const
    {
        for (const auto& f : fields_)
            if (!f.ids.contains(value_of(f.column, r)))
                return false;
        return !fields_.empty();
    }

private:
    // The account key as SQL: the first non-zero id of the four (scan_row::account()).
    static constexpr const char* account_column =
        "coalesce(nullif(account_snapshot, 0), nullif(auth_label_snapshot, 0), nullif(source, 0), "
        "auth_index)";

    static std::int64_t value_of(std::string_view column, const scan_row& r)
    {
        if (column == account_column)
            return r.account();
        if (column == "account_snapshot")
            return r.account_snapshot;
        if (column == "auth_file_snapshot")
            return r.auth_file_snapshot;
        if (column == "auth_provider_snapshot")
            return r.auth_provider_snapshot;
        if (column == "auth_index")
            return r.auth_index;
        return r.source;
    }

    struct field
    {
        const char* column;
        std::set<std::int64_t> ids;
    };
    std::vector<field> fields_;
};

// The stored events' times as [oldest, newest + 1) in ms; nullopt without events. Two queries:
// SQLite seeks the time index for a lone min() or max(), and scans it for both at once.
std::optional<std::pair<std::int64_t, std::int64_t>> stored_span_ms(store::connection& db)
{
    const auto oldest = db.query_int("SELECT min(ts_ns) FROM events");
    const auto newest = db.query_int("SELECT max(ts_ns) FROM events");
    if (!oldest || !newest)
        return std::nullopt;
    return std::pair{floor_div(*oldest, 1'000'000), floor_div(*newest, 1'000'000) + 1};
}

std::string any_of_sql(const std::vector<compiled_target>& targets)
{
    std::string out;
    for (const auto& t : targets)
        if (!t.matches_nothing())
            out += fmt::format("{}({})", out.empty() ? "" : " OR ", t.sql());
    return out;
}

struct read_context
{
    store::connection& db;
    pricing::price_table price_table;
    store::rate_memo prices;
    alias_map aliases;

    explicit read_context(store::connection& c)
        : db(c), price_table(store::load_price_table(c)), prices(c, price_table),
          aliases(store::load_api_key_aliases(c))
    {
    }
};

} // namespace

account_history
read_account_history(store::connection& db, const std::vector<std::pair<std::string, account_target>>& rows)
{
    store::read_transaction snapshot(db);
    read_context ctx(db);
    std::vector<compiled_target> targets;
    for (const auto& [key, t] : rows)
        targets.emplace_back(db, t);
    std::vector<totals_acc> totals(rows.size());
    std::vector<std::int64_t> first_seen_ns(rows.size(), 0);

    account_history out;
    out.checkpoint.latest_id = db.query_int("SELECT max(id) FROM events").value_or(0);
    out.checkpoint.last_event_id = out.checkpoint.latest_id;
    out.checkpoint.processed = store::read_event_count(db); // a row, not a count of the time index
    const auto any = any_of_sql(targets);
    const auto stored = stored_span_ms(db);
    if (!any.empty() && stored)
    {
        // Lifetime totals from the identity rows of whole days, blocks of days and recent hours,
        // raw elsewhere: a handful of reads however long the history.
        event_where where;
        where.sql = " AND (" + any + ")";
        const auto add = [&](const scan_row& dims, const usage_piece& piece, std::int64_t first_ns)
        {
            for (std::size_t i = 0; i < targets.size(); ++i)
                if (targets[i].matches(dims))
                {
                    first_seen_ns[i] =
                        totals[i].calls() == 0 ? first_ns : std::min(first_seen_ns[i], first_ns);
                    totals[i].add(piece);
                }
        };
        read_identity_range(
            db,
            ctx.prices,
            where,
            true,
            stored->first,
            stored->second,
            {[&](const scan_row& r) { add(r, piece_of(r), r.ts_ns); },
             [&](const store::identity_row& r, double usd)
             { add(dims_of(r), piece_of(r, usd), r.first_seen_ns); }}
        );
    }
    for (std::size_t i = 0; i < rows.size(); ++i)
    {
        account_history_item item;
        item.row_key = rows[i].first;
        item.totals = totals[i].finish();
        item.first_seen_ms = floor_div(first_seen_ns[i], 1'000'000);
        if (item.totals.calls > 0)
        {
            // The newest requests, read newest first from the newest one's time.
            event_where where;
            where.sql = " AND (" + targets[i].sql() + ")";
            item.recent_requests = newest_events(
                                       db,
                                       ctx.prices,
                                       ctx.aliases,
                                       where,
                                       all_time_from_ms,
                                       item.totals.last_seen_ms + 1,
                                       recent_requests,
                                       std::nullopt
            )
                                       .items;
            item.latest_request = item.recent_requests.front();
        }
        item.sync_status = "synced";
        out.items.push_back(std::move(item));
    }
    return out;
}

std::vector<window_usage_item>
read_window_usage(store::connection& db, const std::vector<usage_window>& windows)
{
    store::read_transaction snapshot(db);
    read_context ctx(db);
    std::vector<window_usage_item> out;
    for (const auto& w : windows)
    {
        window_usage_item item;
        item.row_key = w.row_key, item.request_key = w.request_key, item.window_key = w.window_key;
        item.provider_window_id = w.provider_window_id, item.period = w.period;
        item.from_ms = w.from_ms, item.to_ms = w.to_ms;
        item.sync_status = "synced";
        compiled_target target(db, w.target);
        const bool scoped = w.scope && !w.scope->models.empty();
        std::set<std::int64_t> in_scope;
        if (scoped)
            in_scope = dim_ids(db, dim_kind::model, w.scope->models);
        totals_acc acc;
        if (!target.matches_nothing())
        {
            event_where where;
            where.sql = " AND (" + target.sql() + ")";
            scan_events(
                db,
                ctx.prices,
                where,
                w.from_ms,
                w.to_ms,
                [&](const scan_row& r)
                {
                    if (!scoped || in_scope.contains(r.model))
                        acc.add(r);
                    else
                        ++item.unmatched_requests;
                }
            );
        }
        item.totals = acc.finish();
        if (!scoped)
            item.scope_match_status = "unscoped";
        else if (item.totals.calls == 0 && item.unmatched_requests == 0)
            item.scope_match_status = "empty";
        else if (item.unmatched_requests == 0)
            item.scope_match_status = "matched";
        else
            item.scope_match_status = item.totals.calls == 0 ? "unmatched" : "partial";
        out.push_back(std::move(item));
    }
    return out;
}

std::vector<header_snapshot>
latest_header_snapshots(store::connection& db, std::int64_t since_ms, std::size_t limit)
{
    store::read_transaction snapshot(db);
    auto s = db.prepare(R"sql(
SELECT id, auth_file_snapshot, auth_index, source_hash FROM events
WHERE ts_ns >= ?1 AND (coalesce(response_metadata, '') != '' OR header_quota_plan_type != 0 OR header_error_kind != 0
      OR header_error_code != 0 OR header_trace_id IS NOT NULL OR header_quota_recover_at_ms IS NOT NULL
      OR header_quota_used_percent IS NOT NULL)
ORDER BY ts_ns DESC, id DESC
)sql");
    s.bind(1, since_ms * 1'000'000);
    std::set<std::tuple<std::int64_t, std::int64_t, std::int64_t>> seen;
    std::vector<std::int64_t> ids;
    while (ids.size() < limit && s.step())
        if (seen.insert({s.int64(1), s.int64(2), s.int64(3)}).second)
            ids.push_back(s.int64(0));
    std::vector<header_snapshot> out;
    store::event_lookup lookup(db);
    store::stored_event se;
    for (auto id : ids)
    {
        if (!lookup.read(id, se))
            continue;
        const auto& e = se.ev;
        header_snapshot h;
        h.names = {
            e.source,
            e.source_hash,
            e.auth_index,
            e.auth_file_snapshot,
            e.account_snapshot,
            e.auth_label_snapshot,
            e.auth_provider_snapshot,
            e.provider};
        h.credential_id = credential_id(e.auth_file_snapshot, e.auth_index, e.source_hash);
        h.auth_project_id_snapshot = e.auth_project_id_snapshot, h.model = e.model;
        h.event_id = id, h.timestamp_ms = e.timestamp_ms;
        h.response_metadata = e.response_metadata;
        h.header_quota_recover_at_ms = e.header_quota_recover_at_ms;
        h.header_quota_used_percent = e.header_quota_used_percent;
        h.header_quota_plan_type = e.header_quota_plan_type, h.header_error_kind = e.header_error_kind;
        h.header_error_code = e.header_error_code, h.header_trace_id = e.header_trace_id;
        out.push_back(std::move(h));
    }
    return out;
}

} // namespace cpamd::analytics
