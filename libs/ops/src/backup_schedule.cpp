#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cpamd/core/log.hpp>
#include <cpamd/ops/backup.hpp>
#include <cpamd/ops/backup_schedule.hpp>

namespace cpamd::ops
{
namespace
{

namespace asio = boost::asio;
namespace fs = std::filesystem;
using std::chrono::system_clock;

struct outcome
{
    bool ok = false;
    backup_info info;
    std::string error;
    fs::path file;
};

outcome take_backup(const backup_schedule_options& o)
{
    outcome out;
    try
    {
        std::error_code ec;
        fs::create_directories(o.dir, ec);
        fs::permissions(o.dir, fs::perms::owner_all, ec);
        const auto now = system_clock::now();
        out.file = o.dir / scheduled_backup_name(now);
        out.info = backup_database(o.database, out.file);
        out.ok = true;
        for (const auto& gone : prune_backups(o.dir, o.retention_days, now))
            log::info("backup: deleted {} (older than {} days)", gone.filename().string(), o.retention_days);
    }
    catch (const std::exception& e)
    {
        out.error = e.what();
    }
    return out;
}

// Runs on the worker thread; a coroutine only so that co_spawn can hand the result back.
asio::awaitable<outcome> take_backup_async(backup_schedule_options o)
{
    co_return take_backup(o);
}

// When the newest scheduled backup in `dir` was written (its mtime); epoch when there is none.
system_clock::time_point newest_backup(const fs::path& dir)
{
    system_clock::time_point newest{};
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec))
    {
        auto name = entry.path().filename().string();
        if (!name.starts_with("usage-") || !name.ends_with(".sqlite"))
            continue;
        std::error_code tec;
        auto t = fs::last_write_time(entry.path(), tec);
        if (!tec)
            newest = std::max(
                newest,
                std::chrono::time_point_cast<system_clock::duration>(std::chrono::file_clock::to_sys(t))
            );
    }
    return newest;
}

} // namespace

backup_scheduler::backup_scheduler(backup_schedule_options o) : options_(std::move(o)) {}

system_clock::time_point backup_scheduler::first_due() const
{
    const auto now = system_clock::now();
    const auto soon = now + std::min(options_.interval, options_.first_delay_cap);
    const auto newest = newest_backup(options_.dir);
    if (newest == system_clock::time_point{})
        return soon;
    return std::max(soon, newest + options_.interval);
}

asio::awaitable<void> backup_scheduler::run()
{
    if (options_.interval.count() <= 0)
        co_return;
    asio::steady_timer timer(co_await asio::this_coro::executor);
    auto due = first_due();
    log::info(
        "backup: every {} s into {}, keeping {} days",
        options_.interval.count(),
        options_.dir.string(),
        options_.retention_days
    );
    for (;;)
    {
        timer.expires_after(std::max(due - system_clock::now(), system_clock::duration::zero()));
        auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
        if (ec)
            co_return;
        auto r = co_await asio::co_spawn(worker_, take_backup_async(options_), asio::use_awaitable);
        if (r.ok)
        {
            counters_.succeeded++;
            counters_.last_bytes = r.info.bytes;
            counters_.last_duration_ms = static_cast<std::uint64_t>(r.info.took.count());
            counters_.last_success_unix_ms =
                std::chrono::duration_cast<std::chrono::milliseconds>(system_clock::now().time_since_epoch())
                    .count();
            log::info(
                "backup: wrote {} ({} bytes in {} ms)", r.file.string(), r.info.bytes, r.info.took.count()
            );
        }
        else
        {
            counters_.failed++;
            log::error("backup: {}", r.error);
        }
        due = system_clock::now() + options_.interval;
    }
}

} // namespace cpamd::ops
