#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cpamd/core/log.hpp>
#include <cpamd/store/event_count.hpp>
#include <cpamd/store/maintenance.hpp>
#include <cpamd/store/projections.hpp>
#include <filesystem>
#include <memory>

namespace cpamd::store
{
namespace asio = boost::asio;
constexpr std::int64_t ns_per_hour = 3'600'000'000'000;

std::int64_t delete_events_before(connection& db, std::int64_t cutoff_ns, int limit)
{
    // Oldest first through the time index; rowids keep the DELETE cheap. The event with the
    // largest id stays until a newer one exists: SQLite gives a new row the largest id + 1, and ids
    // must never be handed out twice (the usage counters of /metrics read "ids above the last one
    // counted", analytics/usage_counters.hpp). Only an imported event older than the retention
    // can be that row.
    auto s = db.prepare(
        "DELETE FROM events WHERE id IN (SELECT id FROM events WHERE ts_ns < ?1 AND id < (SELECT max(id) "
        "FROM events) ORDER BY ts_ns LIMIT ?2)"
    );
    s.bind(1, cutoff_ns).bind(2, static_cast<std::int64_t>(limit));
    const auto oldest = db.query_int("SELECT min(ts_ns) FROM events");
    s.run();
    const auto deleted = db.changes();
    add_to_event_count(db, -deleted);
    // The projections of the hours it thinned are made again from what is left.
    if (deleted > 0 && oldest)
        invalidate_projected_hours_between(db, *oldest / ns_per_hour, cutoff_ns / ns_per_hour + 1);
    return deleted;
}

namespace
{

std::uint64_t wal_size(const std::filesystem::path& db)
{
    std::error_code ec;
    auto n = std::filesystem::file_size(db.string() + "-wal", ec);
    return ec ? 0 : n;
}

} // namespace

asio::awaitable<void> run_maintenance(event_writer& writer, maintenance_options o)
{
    asio::steady_timer timer(co_await asio::this_coro::executor);
    for (;;)
    {
        timer.expires_after(o.period);
        auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
        if (ec)
            co_return;

        if (o.retention_days > 0)
        {
            auto cutoff = std::chrono::system_clock::now() - std::chrono::hours(24) * o.retention_days;
            auto cutoff_ns =
                std::chrono::duration_cast<std::chrono::nanoseconds>(cutoff.time_since_epoch()).count();
            std::int64_t deleted_total = 0;
            for (;;)
            {
                std::int64_t deleted = 0;
                event_writer::task step = [&deleted, cutoff_ns, &o](connection& db)
                {
                    transaction tx(db);
                    deleted = delete_events_before(db, cutoff_ns, o.delete_batch);
                    tx.commit();
                };
                if (auto error = co_await writer.async_run(std::move(step), asio::use_awaitable))
                    log::warn("maintenance: retention: {}", *error);
                deleted_total += deleted;
                if (deleted < o.delete_batch)
                    break;
            }
            if (deleted_total)
                log::info("retention: deleted {} events older than {} days", deleted_total, o.retention_days);
        }

        bool truncate = wal_size(writer.path()) > o.wal_truncate_bytes;
        event_writer::task checkpoint = [truncate, &writer](connection& db)
        { writer.checkpoint(db, truncate); };
        if (auto error = co_await writer.async_run(std::move(checkpoint), asio::use_awaitable))
            log::warn("maintenance: checkpoint: {}", *error);
    }
}

} // namespace cpamd::store
