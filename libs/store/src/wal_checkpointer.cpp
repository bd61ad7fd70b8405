#include <chrono>
#include <cpamd/core/log.hpp>
#include <cpamd/store/wal_checkpointer.hpp>

namespace cpamd::store
{

checkpoint_report run_checkpoint(sqlite3* db, const char* schema, int mode)
{
    using namespace std::chrono;
    checkpoint_report r;
    r.mode = mode == SQLITE_CHECKPOINT_TRUNCATE ? "TRUNCATE" : "PASSIVE";
    r.executed_at_ms = duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
    const auto start = steady_clock::now();
    const int rc = sqlite3_wal_checkpoint_v2(db, schema, mode, &r.log_frames, &r.checkpointed_frames);
    r.duration_ms = duration_cast<milliseconds>(steady_clock::now() - start).count();
    r.ok = rc == SQLITE_OK;
    r.busy = rc == SQLITE_BUSY;
    if (!r.ok && !r.busy)
        log::warn("wal checkpoint: {}", sqlite3_errstr(rc));
    return r;
}

namespace
{

// PASSIVE never waits for the writer or for readers: it copies what it can. BUSY (another
// checkpoint holds the lock) is left for the next request.
checkpoint_report checkpoint_passive(sqlite3* db, const char* schema)
{
    return run_checkpoint(db, schema, SQLITE_CHECKPOINT_PASSIVE);
}

} // namespace

wal_checkpointer::wal_checkpointer(const std::filesystem::path& db_path, int threshold_frames)
    : db_(db_path, connection::mode::read_write), threshold_frames_(threshold_frames),
      thread_([this] { run(); })
{
}

wal_checkpointer::~wal_checkpointer()
{
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_one();
    thread_.join();
}

void wal_checkpointer::watch(connection& writer)
{
    // Installing a WAL hook replaces SQLite's automatic checkpoint on this connection.
    sqlite3_wal_hook(writer.handle(), &wal_checkpointer::on_commit, this);
}

int wal_checkpointer::on_commit(void* self, sqlite3* writer, const char* schema, int frames)
{
    auto* c = static_cast<wal_checkpointer*>(self);
    if (frames >= c->threshold_frames_ * hard_limit_factor)
    {
        // The log restarts from its start only when a write begins with every frame copied back,
        // which a checkpoint running beside a busy writer never sees. So past the hard limit the
        // writer copies what is left itself (little: the thread copied the rest); its next
        // transaction then writes the log from the start.
        auto r = checkpoint_passive(writer, schema);
        std::lock_guard lock(c->mutex_);
        if (r.ok)
            c->writer_checkpoints_++;
        c->last_ = std::move(r);
    }
    else if (frames >= c->threshold_frames_)
        c->request();
    return SQLITE_OK;
}

void wal_checkpointer::request()
{
    {
        std::lock_guard lock(mutex_);
        requested_ = true;
    }
    wake_.notify_one();
}

std::optional<checkpoint_report> wal_checkpointer::last() const
{
    std::lock_guard lock(mutex_);
    return last_;
}

void wal_checkpointer::note(checkpoint_report r)
{
    std::lock_guard lock(mutex_);
    last_ = std::move(r);
}

wal_checkpointer::counts wal_checkpointer::checkpoints() const
{
    std::lock_guard lock(mutex_);
    return {checkpoints_, writer_checkpoints_};
}

void wal_checkpointer::run()
{
    std::unique_lock lock(mutex_);
    for (;;)
    {
        wake_.wait(lock, [&] { return requested_ || stopping_; });
        if (stopping_)
            return;
        requested_ = false;
        lock.unlock();
        auto r = checkpoint_passive(db_.handle(), nullptr);
        lock.lock();
        if (r.ok)
            checkpoints_++;
        last_ = std::move(r);
    }
}

} // namespace cpamd::store
