#pragma once

// Checkpoints the WAL from its own connection and thread, so that the writer's commits seldom wait
// for the WAL to be copied back into the database file and fsynced. The writer's connection turns
// SQLite's automatic checkpoint off (watch()); each commit that leaves the WAL at or above the
// threshold asks for a PASSIVE checkpoint, which runs beside the next transactions. Under
// constant load the log would then never restart from its beginning, so a commit that leaves it
// at four times the threshold checkpoints the few frames left on the writer's own connection.
// The periodic maintenance TRUNCATE still shrinks the file.

#include <condition_variable>
#include <cpamd/store/sqlite.hpp>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

namespace cpamd::store
{

// One WAL checkpoint as /status reports it (spec manager-api §5.3, database.checkpoint).
struct checkpoint_report
{
    std::string mode;             // "PASSIVE" or "TRUNCATE"
    bool ok = false;              // it ran (not busy, no error)
    bool busy = false;            // another checkpoint or a writer held what it needed
    int log_frames = -1;          // frames in the WAL, -1 when unknown
    int checkpointed_frames = -1; // of those, copied back into the database
    std::int64_t executed_at_ms = 0;
    std::int64_t duration_ms = 0;
};

// Runs one checkpoint (SQLITE_CHECKPOINT_PASSIVE or _TRUNCATE) on `db` and reports it; an error
// other than busy is logged.
checkpoint_report run_checkpoint(sqlite3* db, const char* schema, int mode);

class wal_checkpointer
{
public:
    // The same threshold as SQLite's automatic checkpoint: 1000 frames of the WAL.
    static constexpr int default_threshold_frames = 1000;
    static constexpr int hard_limit_factor = 4;

    // Opens its own read-write connection to `db_path` (which must exist).
    explicit wal_checkpointer(
        const std::filesystem::path& db_path, int threshold_frames = default_threshold_frames
    );
    ~wal_checkpointer(); // finishes a checkpoint under way, then stops
    wal_checkpointer(const wal_checkpointer&) = delete;
    wal_checkpointer& operator=(const wal_checkpointer&) = delete;

    // Replaces writer's automatic checkpoint with requests to this checkpointer. `writer` must
    // outlive the watch or be closed first.
    void watch(connection& writer);

    // Any thread; cheap. Requests made while a checkpoint runs coalesce into one more.
    void request();

    struct counts
    {
        std::uint64_t background = 0; // completed on the checkpointer's thread
        std::uint64_t writer = 0;     // run by the writer at the hard limit
    };
    counts checkpoints() const;

    // The latest checkpoint on this database, whoever ran it (note() tells of the others).
    std::optional<checkpoint_report> last() const;
    void note(checkpoint_report r);

private:
    static int on_commit(void* self, sqlite3* db, const char* schema, int frames);
    void run();

    connection db_;
    int threshold_frames_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    bool requested_ = false;
    bool stopping_ = false;
    std::uint64_t checkpoints_ = 0;
    std::uint64_t writer_checkpoints_ = 0;
    std::optional<checkpoint_report> last_;
    std::thread thread_;
};

} // namespace cpamd::store
