#pragma once

// Scheduled backups (BACKUP_INTERVAL, BACKUP_RETENTION_DAYS): every interval the database is
// copied into <data dir>/backups/usage-<UTC time>.sqlite, then backups older than the retention
// are deleted. The copy runs on its own thread, so the event loop never waits for it. The
// schedule follows the newest backup on disk, so restarting the daemon neither skips nor
// doubles a backup; an overdue one is taken shortly after start.

#include <atomic>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <cstdint>
#include <filesystem>

namespace cpamd::ops
{

struct backup_schedule_options
{
    std::filesystem::path database;
    std::filesystem::path dir; // created 0700 when missing
    std::chrono::seconds interval{0};
    int retention_days = 0;                   // 0 keeps every backup
    std::chrono::seconds first_delay_cap{60}; // an overdue first backup waits at most this long
};

// For /metrics. Updated by the scheduler, read by anyone.
struct backup_counters
{
    std::atomic<std::uint64_t> succeeded{0};
    std::atomic<std::uint64_t> failed{0};
    std::atomic<std::int64_t> last_success_unix_ms{0};
    std::atomic<std::uint64_t> last_bytes{0};
    std::atomic<std::uint64_t> last_duration_ms{0};
};

class backup_scheduler
{
public:
    explicit backup_scheduler(backup_schedule_options o);

    // Runs until the io_context stops. The scheduler must outlive the coroutine.
    boost::asio::awaitable<void> run();

    const backup_counters& counters() const { return counters_; }

private:
    std::chrono::system_clock::time_point first_due() const;

    backup_schedule_options options_;
    backup_counters counters_;
    boost::asio::thread_pool worker_{1}; // the copy's own thread
};

} // namespace cpamd::ops
