#pragma once

// Housekeeping that writes, run through the single writer in small steps so ingestion never waits
// long behind it:
//  * WAL checkpoints: PASSIVE every period, TRUNCATE when the WAL has grown past a limit, so the
//    WAL stays bounded under constant load;
//  * retention: raw events older than `retention_days` are deleted in batches of `batch` rows,
//    one writer task per batch. Rollups are kept, so long-range totals survive.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cpamd/store/event_writer.hpp>
#include <cstdint>

namespace cpamd::store
{

struct maintenance_options
{
    int retention_days = 0; // 0: keep raw events forever
    std::chrono::seconds period{30};
    std::uint64_t wal_truncate_bytes = 64ull << 20;
    int delete_batch = 5000;
};

// Deletes at most `limit` events older than `cutoff_ns`; returns how many. Writer thread only.
std::int64_t delete_events_before(connection& db, std::int64_t cutoff_ns, int limit);

// Runs until the io_context stops (or the coroutine is cancelled).
boost::asio::awaitable<void> run_maintenance(event_writer& writer, maintenance_options o);

} // namespace cpamd::store
