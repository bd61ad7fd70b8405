#include "event_scan.hpp"

#include <algorithm>
#include <cpamd/core/floor_div.hpp>
#include <cpamd/store/dims.hpp>
#include <fmt/format.h>
#include <set>
#include <vector>

namespace cpamd::analytics
{
namespace
{

using store::dim_kind;
constexpr std::int64_t ns_per_ms = 1'000'000;
constexpr int search_param = 9; // ?9: the lowercased search text

std::string ascii_lower(std::string_view s)
{
    std::string out(s);
    for (auto& c : out)
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
    return out;
}

} // namespace

std::set<std::int64_t> dim_ids(store::connection& db, dim_kind kind, const std::vector<std::string>& values)
{
    std::set<std::int64_t> out;
    for (const auto& v : values)
        if (auto id = store::find_dim(db, kind, v))
            out.insert(*id);
    return out;
}

std::string sql_id_list(const std::set<std::int64_t>& ids)
{
    return fmt::format("({})", fmt::join(ids, ","));
}

namespace
{

// Accumulates " AND (...)" conditions; a list that matches no event makes the filter empty.
class condition_builder
{
public:
    explicit condition_builder(store::connection& db) : db_(db) {}

    // column IN ids(kind, values) OR ... for each (column, kind) pair.
    void any_of(
        const std::vector<std::string>& values,
        std::initializer_list<std::pair<const char*, dim_kind>> columns
    )
    {
        if (values.empty())
            return;
        std::vector<std::string> parts;
        for (const auto& [column, kind] : columns)
        {
            auto ids = dim_ids(db_, kind, values);
            if (!ids.empty())
                parts.push_back(fmt::format("{} IN {}", column, sql_id_list(ids)));
        }
        add_or(parts);
    }

    void add(std::string condition) { out_.sql += " AND (" + condition + ")"; }

    void add_or(const std::vector<std::string>& parts)
    {
        if (parts.empty())
            out_.matches_nothing = true;
        else
            add(fmt::format("{}", fmt::join(parts, " OR ")));
    }

    event_where& result() { return out_; }

private:
    store::connection& db_;
    event_where out_;
};

// credential ids "<auth file>|<auth index>|<source hash>", split at the last two bars (the index
// and the hash never hold one).
void credentials(condition_builder& b, store::connection& db, const std::vector<std::string>& ids)
{
    if (ids.empty())
        return;
    std::vector<std::string> parts;
    for (const auto& id : ids)
    {
        auto hash_bar = id.rfind('|');
        if (hash_bar == std::string::npos || hash_bar == 0)
            continue;
        auto index_bar = id.rfind('|', hash_bar - 1);
        if (index_bar == std::string::npos)
            continue;
        auto file = dim_ids(db, dim_kind::snapshot, {id.substr(0, index_bar)});
        auto index = dim_ids(db, dim_kind::auth_index, {id.substr(index_bar + 1, hash_bar - index_bar - 1)});
        auto hash = dim_ids(db, dim_kind::source_hash, {id.substr(hash_bar + 1)});
        if (file.empty() || index.empty() || hash.empty())
            continue;
        parts.push_back(fmt::format(
            "auth_file_snapshot = {} AND auth_index = {} AND source_hash = {}",
            *file.begin(),
            *index.begin(),
            *hash.begin()
        ));
    }
    b.add_or(parts);
}

// The dim kinds of the text the search looks at (monitoring_query.hpp).
constexpr int searchable_kinds[] = {
    static_cast<int>(dim_kind::model),
    static_cast<int>(dim_kind::provider),
    static_cast<int>(dim_kind::endpoint),
    static_cast<int>(dim_kind::auth_index),
    static_cast<int>(dim_kind::source),
    static_cast<int>(dim_kind::snapshot),
    static_cast<int>(dim_kind::error_kind),
    static_cast<int>(dim_kind::error_code),
};

// Search: the interned text columns by the ids whose value contains the text; the rest in SQL.
void search(condition_builder& b, store::connection& db, const monitoring_filter& f, std::string& text)
{
    std::vector<std::string> parts;
    std::set<std::int64_t> keys;
    if (!f.search_api_key_hash.empty())
        keys = dim_ids(db, dim_kind::api_key_hash, {f.search_api_key_hash});
    if (!f.search_query.empty())
    {
        text = ascii_lower(f.search_query);
        std::set<std::int64_t> matching;
        auto s = db.prepare(fmt::format(
            "SELECT id FROM dim WHERE kind IN ({}) AND instr(lower(value), ?1) > 0",
            fmt::join(searchable_kinds, ",")
        ));
        s.bind(1, text);
        while (s.step())
            matching.insert(s.int64(0));
        if (!matching.empty())
        {
            auto list = sql_id_list(matching);
            for (const char* column :
                 {"model",
                  "requested_model",
                  "resolved_model",
                  "response_model",
                  "provider",
                  "endpoint",
                  "auth_index",
                  "source",
                  "account_snapshot",
                  "auth_label_snapshot",
                  "auth_file_snapshot",
                  "auth_provider_snapshot",
                  "auth_project_id_snapshot",
                  "header_error_kind",
                  "header_error_code"})
                parts.push_back(fmt::format("{} IN {}", column, list));
        }
        auto aliases = db.prepare(
            "SELECT d.id FROM api_key_aliases a JOIN dim d ON d.kind = ?2 AND d.value = a.api_key_hash "
            "WHERE instr(lower(a.alias), ?1) > 0"
        );
        aliases.bind(1, text).bind(2, static_cast<std::int64_t>(dim_kind::api_key_hash));
        while (aliases.step())
            keys.insert(aliases.int64(0));
        if (text.size() >= 8)
        {
            auto prefix =
                db.prepare("SELECT id FROM dim WHERE kind = ?2 AND substr(value, 1, length(?1)) = ?1");
            prefix.bind(1, text).bind(2, static_cast<std::int64_t>(dim_kind::api_key_hash));
            while (prefix.step())
                keys.insert(prefix.int64(0));
        }
        for (const char* column : {"fail_summary", "header_trace_id"})
            parts.push_back(fmt::format("instr(lower({}), ?{}) > 0", column, search_param));
        // CPA's 8-hex request ids are stored as integers (batch_writer's compact_request_id): their
        // text is printf('%08x'), worth computing only when the search could be part of one.
        parts.push_back(
            fmt::format("(typeof(request_id) = 'text' AND instr(lower(request_id), ?{}) > 0)", search_param)
        );
        const bool hex_like =
            text.size() <= 8 && std::all_of(
                                    text.begin(),
                                    text.end(),
                                    [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }
                                );
        if (hex_like)
            parts.push_back(fmt::format(
                "(typeof(request_id) = 'integer' AND instr(printf('%08x', request_id), ?{}) > 0)",
                search_param
            ));
    }
    if (!keys.empty())
        parts.push_back("api_key IN " + sql_id_list(keys));
    b.add_or(parts);
}

} // namespace

event_where compile_filter(store::connection& db, const monitoring_filter& f, filter_scope scope)
{
    condition_builder b(db);
    if (scope == filter_scope::none)
        return b.result();
    if (!f.search_query.empty() || !f.search_api_key_hash.empty())
        search(b, db, f, b.result().search_text);
    if (scope == filter_scope::search_only)
        return b.result();

    b.any_of(f.models, {{"model", dim_kind::model}});
    b.any_of(f.providers, {{"provider", dim_kind::provider}, {"auth_provider_snapshot", dim_kind::snapshot}});
    b.any_of(
        f.accounts,
        {{"account_snapshot", dim_kind::snapshot},
         {"auth_label_snapshot", dim_kind::snapshot},
         {"source", dim_kind::source},
         {"auth_index", dim_kind::auth_index}}
    );
    b.any_of(f.api_key_hashes, {{"api_key", dim_kind::api_key_hash}});
    credentials(b, db, f.credential_ids);
    b.any_of(f.auth_files, {{"auth_file_snapshot", dim_kind::snapshot}});
    b.any_of(f.auth_indices, {{"auth_index", dim_kind::auth_index}});
    b.any_of(f.source_hashes, {{"source_hash", dim_kind::source_hash}});
    b.any_of(f.project_ids, {{"auth_project_id_snapshot", dim_kind::snapshot}});
    b.any_of(f.request_types, {{"endpoint", dim_kind::endpoint}});
    b.any_of(f.header_error_kinds, {{"header_error_kind", dim_kind::error_kind}});
    b.any_of(f.header_error_codes, {{"header_error_code", dim_kind::error_code}});
    b.any_of(f.header_quota_plans, {{"header_quota_plan_type", dim_kind::quota_plan_type}});
    if (!f.header_trace_ids.empty())
    {
        // Not interned: compared as text, bound as literals quoted by SQLite's rules.
        std::vector<std::string> quoted;
        for (const auto& t : f.header_trace_ids)
        {
            std::string q = "'";
            for (char c : t)
                q += c == '\'' ? std::string("''") : std::string(1, c);
            quoted.push_back(q + "'");
        }
        b.add(fmt::format("coalesce(header_trace_id, '') IN ({})", fmt::join(quoted, ",")));
    }
    if (f.failed_only)
        b.add("failed = 1");
    else if (!f.include_failed)
        b.add("failed = 0");
    if (f.min_latency_ms > 0)
        b.add(fmt::format("latency_ms >= {}", f.min_latency_ms));
    constexpr std::string_view any_cache =
        "cached_tokens > 0 OR cache_tokens > 0 OR cache_read_tokens > 0 OR cache_creation_tokens > 0";
    if (f.cache_status == "hit")
        b.add(std::string(any_cache));
    else if (f.cache_status == "miss")
        b.add(fmt::format("NOT ({})", any_cache));
    else if (f.cache_status == "read")
        b.add("cache_read_tokens > 0");
    else if (f.cache_status == "creation")
        b.add("cache_creation_tokens > 0");
    return b.result();
}

void scan_events(
    store::connection& db,
    store::rate_memo& prices,
    const event_where& where,
    std::int64_t from_ms,
    std::int64_t to_ms,
    const std::function<void(const scan_row&)>& f
)
{
    if (where.matches_nothing || from_ms >= to_ms)
        return;
    auto s = db.prepare(fmt::format(
        R"sql(
SELECT id, ts_ns, model, provider, endpoint, auth_index, source, source_hash, api_key, account_snapshot,
       auth_label_snapshot, auth_file_snapshot, auth_provider_snapshot, auth_project_id_snapshot,
       header_error_kind, header_error_code, header_quota_plan_type, header_trace_id, failed,
       input_tokens, output_tokens, reasoning_tokens, cached_tokens, cache_tokens, cache_read_tokens,
       cache_creation_tokens, total_tokens,
       cost_uncached, cost_cache_read, cost_cache_write, cost_output, cost_reasoning,
       latency_ms, ttft_ms, response_model, resolved_model, service_tier
FROM events WHERE ts_ns >= ?1 AND ts_ns < ?2{} ORDER BY ts_ns
)sql",
        where.sql
    ));
    s.bind(1, from_ms * ns_per_ms).bind(2, to_ms * ns_per_ms);
    if (!where.search_text.empty())
        s.bind(search_param, where.search_text);
    scan_row r;
    while (s.step())
    {
        r.id = s.int64(0), r.ts_ns = s.int64(1);
        r.ts_ms = floor_div(r.ts_ns, ns_per_ms);
        std::int64_t* dims[] = {
            &r.model,
            &r.provider,
            &r.endpoint,
            &r.auth_index,
            &r.source,
            &r.source_hash,
            &r.api_key,
            &r.account_snapshot,
            &r.auth_label_snapshot,
            &r.auth_file_snapshot,
            &r.auth_provider_snapshot,
            &r.auth_project_id_snapshot,
            &r.header_error_kind,
            &r.header_error_code,
            &r.header_quota_plan_type};
        for (int i = 0; i < 15; ++i)
            *dims[i] = s.int64(2 + i);
        r.header_trace_id = s.is_null(17) ? std::string_view{} : s.text(17);
        r.failed = s.int64(18) != 0;
        for (int i = 0; i < 8; ++i)
            r.tokens[i] = s.int64(19 + i);
        for (int i = 0; i < 5; ++i)
            r.cost_tokens[i] = s.int64(27 + i);
        r.latency_ms = s.opt_int64(32);
        r.ttft_ms = s.opt_int64(33);
        std::int64_t billing = s.int64(34) != 0 ? s.int64(34) : s.int64(35);
        r.usd = prices.event_usd(r.model, billing, s.int64(36), r.cost_tokens);
        f(r);
    }
}

std::int64_t
count_events(store::connection& db, const event_where& where, std::int64_t from_ms, std::int64_t to_ms)
{
    if (where.matches_nothing || from_ms >= to_ms)
        return 0;
    auto s =
        db.prepare(fmt::format("SELECT count(*) FROM events WHERE ts_ns >= ?1 AND ts_ns < ?2{}", where.sql));
    s.bind(1, from_ms * ns_per_ms).bind(2, to_ms * ns_per_ms);
    if (!where.search_text.empty())
        s.bind(search_param, where.search_text);
    return s.step() ? s.int64(0) : 0;
}

} // namespace cpamd::analytics
