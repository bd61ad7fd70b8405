#pragma once

// Backups of the SQLite database with SQLite's online backup API, and restoring one.
//
// A backup copies every page in one step, inside one read transaction on the source: the copy is
// the database exactly as of one commit, while the daemon keeps writing (in WAL mode a reader
// never blocks the writer). The copy is written as FILE.partial, switched to a single file
// (journal_mode=DELETE), fsynced and renamed, so FILE is either complete or absent.
//
// Every function throws std::runtime_error with a one-line message naming the file.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace cpamd::ops
{

struct backup_info
{
    std::uint64_t bytes = 0;
    std::chrono::milliseconds took{0};
};

// Copies the database at `source` into `destination` (mode 0600). Works while a daemon runs.
backup_info backup_database(const std::filesystem::path& source, const std::filesystem::path& destination);

// Checks that `file` is a complete cpamd database this version can open: quick_check passes, the
// events table exists and its schema is not newer than ours. Returns its event count.
std::int64_t verify_backup(const std::filesystem::path& file);

struct restore_info
{
    std::filesystem::path previous; // where the replaced database went; empty if there was none
    std::int64_t events = 0;
};

// Replaces `database` by a copy of `backup`. The caller must hold the database's lock (no daemon
// may run). The old file and its -wal/-shm move aside to "<database>.before-restore-<UTC time>",
// so a stale WAL can never be replayed into the restored file.
restore_info restore_database(const std::filesystem::path& backup, const std::filesystem::path& database);

// "usage-20240131T235959Z.sqlite": scheduled backups' names, which sort by time.
std::string scheduled_backup_name(std::chrono::system_clock::time_point t);

// Deletes scheduled backups in `dir` whose name says they are older than `retention_days`
// (0 keeps everything). Other files are never touched. Returns the deleted paths.
std::vector<std::filesystem::path> prune_backups(
    const std::filesystem::path& dir, int retention_days, std::chrono::system_clock::time_point now
);

} // namespace cpamd::ops
