#pragma once

// Request rows for the monitoring table (events page, recent failures, drilldown): the newest
// filtered events of a range, in (timestamp ms, id) descending order, each read whole.

#include "event_scan.hpp"

#include <cpamd/analytics/monitoring_result.hpp>
#include <cpamd/store/api_key_aliases.hpp>
#include <string>
#include <unordered_map>
#include <vector>

namespace cpamd::analytics
{

using alias_map = store::api_key_alias_map; // key hash -> alias

// The items of the given (event id, cost) pairs, in that order (ids no longer stored are left out).
std::vector<event_item> items_by_id(
    store::connection& db, const std::vector<std::pair<std::int64_t, double>>& ids, const alias_map& aliases
);

struct item_cursor
{
    std::int64_t before_ms = 0, before_id = 0; // strictly older than this, in (ms, id) order
};

// Up to `limit` items of [from_ms, to_ms) that `where` keeps, older than `cursor` when given;
// `has_more` tells whether older ones remain.
struct item_page
{
    std::vector<event_item> items;
    bool has_more = false;
};
item_page newest_events(
    store::connection& db,
    store::rate_memo& prices,
    const alias_map& aliases,
    const event_where& where,
    std::int64_t from_ms,
    std::int64_t to_ms,
    std::size_t limit,
    const std::optional<item_cursor>& cursor
);

} // namespace cpamd::analytics
