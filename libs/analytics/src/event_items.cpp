#include "event_items.hpp"

#include <algorithm>
#include <cpamd/core/floor_div.hpp>
#include <cpamd/store/event_reader.hpp>
#include <fmt/format.h>

namespace cpamd::analytics
{
namespace
{

constexpr std::int64_t ns_per_ms = 1'000'000;

struct candidate
{
    std::int64_t ms = 0, id = 0;
    double usd = 0;
};

event_item item_of(const usage::event& e, std::int64_t id, double usd, const alias_map& aliases)
{
    event_item it;
    it.id = id, it.timestamp_ms = e.timestamp_ms, it.request_id = e.request_id;
    it.model = e.model, it.requested_model = e.requested_model, it.resolved_model = e.resolved_model;
    it.response_model = e.response_model, it.provider = e.provider, it.executor = e.executor_type;
    it.endpoint = e.endpoint, it.reasoning_effort = e.reasoning_effort, it.service_tier = e.service_tier;
    it.client_ip = e.client_ip, it.user_agent = e.user_agent, it.auth_type = e.auth_type;
    auto& n = it.names;
    n.source = e.source, n.source_hash = e.source_hash, n.auth_index = e.auth_index;
    n.auth_file_snapshot = e.auth_file_snapshot, n.account_snapshot = e.account_snapshot;
    n.auth_label_snapshot = e.auth_label_snapshot, n.auth_provider_snapshot = e.auth_provider_snapshot;
    n.provider = e.provider;
    it.auth_project_id_snapshot = e.auth_project_id_snapshot, it.api_key_hash = e.api_key_hash;
    if (auto a = aliases.find(e.api_key_hash); a != aliases.end())
        it.api_key_alias = a->second;
    it.stream = e.stream, it.failed = e.failed, it.fail_status_code = e.fail_status_code;
    it.fail_summary = e.fail_summary;
    // monitoring_result.hpp: input is the normalized total, cached the legacy rest.
    it.input_tokens = e.cost.total_input(), it.output_tokens = e.tokens.output;
    it.reasoning_tokens = e.tokens.reasoning, it.cache_read_tokens = e.tokens.cache_read;
    it.cache_creation_tokens = e.tokens.cache_creation, it.total_tokens = e.tokens.total;
    it.cached_tokens = std::max<std::int64_t>(e.cost.cache_read - e.tokens.cache_read, 0);
    it.cost = usd;
    it.latency_ms = e.latency_ms, it.ttft_ms = e.ttft_ms;
    it.response_metadata = e.response_metadata;
    it.header_quota_recover_at_ms = e.header_quota_recover_at_ms;
    it.header_quota_used_percent = e.header_quota_used_percent;
    it.header_quota_plan_type = e.header_quota_plan_type, it.header_error_kind = e.header_error_kind;
    it.header_error_code = e.header_error_code, it.header_trace_id = e.header_trace_id;
    return it;
}

} // namespace

item_page newest_events(
    store::connection& db,
    store::rate_memo& prices,
    const alias_map& aliases,
    const event_where& where,
    std::int64_t from_ms,
    std::int64_t to_ms,
    std::size_t limit,
    const std::optional<item_cursor>& cursor
)
{
    item_page page;
    if (where.matches_nothing || from_ms >= to_ms || limit == 0)
        return page;
    std::int64_t end_ms = to_ms;
    if (cursor)
        end_ms = std::min(end_ms, cursor->before_ms + 1);
    // The index gives nanosecond order; the page order is (ms, id). All events of one ms come
    // together, so reading on until the ms after the (limit + 1)-th is enough to order them.
    auto s = db.prepare(fmt::format(
        R"sql(
SELECT id, ts_ns, model, response_model, resolved_model, service_tier,
       cost_uncached, cost_cache_read, cost_cache_write, cost_output, cost_reasoning
FROM events WHERE ts_ns >= ?1 AND ts_ns < ?2{} ORDER BY ts_ns DESC
)sql",
        where.sql
    ));
    s.bind(1, from_ms * ns_per_ms).bind(2, end_ms * ns_per_ms);
    if (!where.search_text.empty())
        s.bind(9, where.search_text);
    std::vector<candidate> found;
    while (s.step())
    {
        candidate c{floor_div(s.int64(1), ns_per_ms), s.int64(0), 0};
        if (cursor && c.ms == cursor->before_ms && c.id >= cursor->before_id)
            continue;
        if (found.size() > limit && c.ms != found.back().ms)
            break;
        const std::int64_t cost[5] = {s.int64(6), s.int64(7), s.int64(8), s.int64(9), s.int64(10)};
        std::int64_t billing = s.int64(3) != 0 ? s.int64(3) : s.int64(4);
        c.usd = prices.event_usd(s.int64(2), billing, s.int64(5), cost);
        found.push_back(c);
    }
    std::sort(
        found.begin(),
        found.end(),
        [](const candidate& a, const candidate& b) { return a.ms != b.ms ? a.ms > b.ms : a.id > b.id; }
    );
    page.has_more = found.size() > limit;
    found.resize(std::min(found.size(), limit));
    std::vector<std::pair<std::int64_t, double>> ids;
    for (const auto& c : found)
        ids.emplace_back(c.id, c.usd);
    page.items = items_by_id(db, ids, aliases);
    return page;
}

std::vector<event_item> items_by_id(
    store::connection& db, const std::vector<std::pair<std::int64_t, double>>& ids, const alias_map& aliases
)
{
    std::vector<event_item> out;
    store::event_lookup lookup(db);
    store::stored_event se;
    for (const auto& [id, usd] : ids)
        if (lookup.read(id, se))
            out.push_back(item_of(se.ev, id, usd, aliases));
    return out;
}

} // namespace cpamd::analytics
