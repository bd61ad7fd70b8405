#pragma once

// Builds one hour's dashboard projections (dashboard_rows.hpp) from its events, for
// project_hour: add() every event, then write() in the projecting transaction.

#include <cpamd/store/dashboard_rows.hpp>
#include <cpamd/store/dims.hpp>
#include <map>
#include <utility>

namespace cpamd::store
{

class dashboard_projection
{
public:
    explicit dashboard_projection(connection& db) : dims_(db) {}

    struct event_fields
    {
        std::int64_t ts_ns = 0, source_hash = 0, auth_index = 0, total_tokens = 0;
        bool failed = false;
        std::int64_t latency_ms = 0; // 0 when absent
        std::int64_t source = 0, account = 0, label = 0, provider_snapshot = 0, provider = 0;
    };
    void add(const event_fields& e);

    // Writes hour `h`'s rows (project_hour has deleted the old ones, delete_dashboard_rows).
    void write(connection& db, std::int64_t h);

private:
    // Keeps in `id` the dim whose value is the larger of the two.
    void keep_largest(std::int64_t& id, std::int64_t candidate);

    dim_reader dims_;
    std::map<std::pair<std::int64_t, std::int64_t>, source_hour_row> sources_;
    std::map<std::int64_t, health_slot_row> slots_;
};

// Deletes the dashboard rows of the hours [first_hour, end_hour).
void delete_dashboard_rows(connection& db, std::int64_t first_hour, std::int64_t end_hour);

} // namespace cpamd::store
