#pragma once

// The alert history (table alert_history, schema v10): one row per notice, its deliveries
// added as they end. Writes run on the writer thread, reads on a reader.

#include <boost/json/array.hpp>
#include <cpamd/alerts/alert_tracker.hpp>
#include <cpamd/alerts/delivery.hpp>
#include <cpamd/store/sqlite.hpp>
#include <cstdint>
#include <optional>
#include <vector>

namespace cpamd::alerts
{

// Rows kept: the oldest beyond this many go when a notice is added.
inline constexpr std::int64_t history_rows_kept = 10'000;

// Adds `n` (deliveries empty); returns its row id.
std::int64_t add_notice(store::connection& db, const notice& n);
void add_delivery(store::connection& db, std::int64_t id, const delivery_result& d);

// The conditions still firing by the history: for each rule and subject whose newest firing or
// resolved notice is a firing one, that notice (what a restart restores, alert_tracker::restore).
std::vector<notice> unresolved_firings(store::connection& db);

struct history_page
{
    boost::json::array items; // newest first, as docs/alerts.md shows them
    std::optional<std::int64_t> next_before;
};
history_page read_history(store::connection& db, std::int64_t limit, std::optional<std::int64_t> before);

} // namespace cpamd::alerts
