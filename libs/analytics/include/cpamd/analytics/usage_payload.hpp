#pragma once

// The compatible GET /v0/management/usage body (manager-api §5.6), built in pieces so a
// 50 000-event window never sits in memory as one string or as 50 000 events:
//
//   1. the constructor reads the window once, keeping only (group, id) per row, and sums the
//      totals (a few bytes per row);
//   2. next() appends the body piece by piece, reading each detail by id in the payload's order
//      (endpoint asc, model asc, then time desc, id desc).
//
// Both steps must run on the same connection inside one read transaction so the totals and
// the details come from one snapshot. The object holds prepared statements on `db`: destroy it
// before the connection goes back to its pool. Throws store::sqlite_error.

#include <cpamd/store/dims.hpp>
#include <cpamd/store/event_reader.hpp>
#include <cpamd/store/sqlite.hpp>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace cpamd::analytics
{

// The upstream's window: min(query_limit || 50000, 50000) newest rows.
std::int64_t usage_window(std::int64_t query_limit);

struct usage_totals
{
    std::int64_t total_requests = 0;
    std::int64_t success_count = 0;
    std::int64_t failure_count = 0;
    std::int64_t total_tokens = 0;
};

class usage_payload
{
public:
    usage_payload(store::connection& db, std::int64_t window);

    const usage_totals& totals() const { return totals_; }

    // Appends the next part of the body to `out`, stopping once `out` holds at least `budget`
    // bytes. Returns false when the body is complete (the last call may append nothing).
    bool next(std::string& out, std::size_t budget);

private:
    // endpoint key, model key -> detail ids in output order
    using group_map = std::map<std::pair<std::string, std::string>, std::vector<std::int64_t>>;

    usage_totals totals_;
    group_map groups_;
    store::event_lookup lookup_;
    store::stored_event row_;
    bool header_written_ = false;
    bool done_ = false;
    group_map::const_iterator group_;
    std::size_t detail_ = 0; // next detail of *group_
};

// The whole body at once (tests, small windows).
std::string build_usage_payload(store::connection& db, std::int64_t window);

} // namespace cpamd::analytics
