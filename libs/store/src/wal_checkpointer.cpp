#include <cpamd/core/log.hpp>
#include <cpamd/store/wal_checkpointer.hpp>

namespace cpamd::store
{
namespace
{

// PASSIVE never waits for the writer or for readers: it copies what it can. True when it ran;
// BUSY (another checkpoint holds the lock) is left for the next request, anything else logged.
bool checkpoint_passive(sqlite3* db, const char* schema)
{
    int rc = sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    if (rc != SQLITE_OK && rc != SQLITE_BUSY)
        log::warn("wal checkpoint: {}", sqlite3_errstr(rc));
    return rc == SQLITE_OK;
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
        if (checkpoint_passive(writer, schema))
        {
            std::lock_guard lock(c->mutex_);
            c->writer_checkpoints_++;
        }
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
        bool done = checkpoint_passive(db_.handle(), nullptr);
        lock.lock();
        if (done)
            checkpoints_++;
    }
}

} // namespace cpamd::store
