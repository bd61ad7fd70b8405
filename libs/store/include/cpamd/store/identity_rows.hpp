#pragma once

// The identity projections (projections.hpp): rows that sum the events sharing every identity a
// filter or a group can name (API key, auth index, source, source hash, the five auth snapshots,
// provider, endpoint, model, outcome, billing model, tier, band), with the newest event of each
// row, so a group's names are those of its newest event. Three grains:
//  * proj_identity_day, per ended UTC day, for all of history (proj_days lists the days);
//  * proj_identity_block, the day rows summed over aligned blocks of 2^level days (level 1 to 6:
//    2 to 64 days), made once both halves of a block are (proj_blocks lists them). The identities
//    of many days are about those of one (11 800 rows for 28 days at 10 M events, 7 600 for one
//    day), so a range of whole days reads at most two blocks per level instead of every day;
//  * proj_identity_hour, per ended UTC hour of the current and the previous UTC day only
//    (proj_hours.identity_rows marks them): the partial days at the end of the ranges people ask
//    most (today, the last 24 hours, every preset that ends now) are read as rows, not events.
//    Kept for two days only, they cost a bounded few MB whatever the history size; an hourly
//    identity row holds ~2 events, so keeping them for all of history would not pay.

#include <compare>
#include <cpamd/store/sqlite.hpp>
#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

namespace cpamd::store
{

enum class identity_grain
{
    day,
    hour
};

inline constexpr int max_identity_block_level = 6;

// The days [block << level, (block + 1) << level).
struct identity_block
{
    int level = 1;
    std::int64_t block = 0;
    std::int64_t first_day() const { return block << level; }
    std::int64_t end_day() const { return (block + 1) << level; }
    friend auto operator<=>(const identity_block&, const identity_block&) = default;
};

// The blocks made (in proj_blocks) that lie wholly inside the days [first_day, end_day).
std::vector<identity_block>
made_identity_blocks(connection& db, std::int64_t first_day, std::int64_t end_day);

// The first hour kept in proj_identity_hour while `now_hour` is the current UTC hour: the start of
// the previous UTC day.
std::int64_t first_identity_hour(std::int64_t now_hour);

struct identity_row
{
    std::int64_t period = 0; // the UTC day or hour number, or the block
    // dim ids, named as the events' columns
    std::int64_t api_key = 0, auth_index = 0, source = 0, source_hash = 0, auth_file_snapshot = 0,
                 account_snapshot = 0, auth_label_snapshot = 0, auth_provider_snapshot = 0,
                 auth_project_id_snapshot = 0, provider = 0, endpoint = 0, model = 0;
    bool failed = false;
    std::int64_t billing_model = 0, service_tier = 0, context_floor = 0;
    std::int64_t calls = 0;
    std::int64_t tokens[8] = {}; // as model_hour_row
    std::int64_t cost[5] = {};
    std::int64_t latency_samples = 0, latency_sum = 0, zero_token_calls = 0;
    std::int64_t last_seen_ns = 0, last_event_id = 0; // the row's newest event
    std::int64_t first_seen_ns = 0;                   // the time of its oldest event
};

// Every identity row of the periods [first, end) at `grain` that `extra_sql` (" AND (...)" over
// the columns above, which are named as the events', or "") keeps, oldest period first. Read only
// days projected_days() lists and hours whose projected_hour::identity_rows is set, in the same
// read transaction.
void for_each_identity_row(
    connection& db,
    identity_grain grain,
    std::int64_t first,
    std::int64_t end,
    std::string_view extra_sql,
    const std::function<void(const identity_row&)>& f
);

// Every row of block `b` that `extra_sql` keeps (as for_each_identity_row).
void for_each_identity_block_row(
    connection& db,
    identity_block b,
    std::string_view extra_sql,
    const std::function<void(const identity_row&)>& f
);

} // namespace cpamd::store
