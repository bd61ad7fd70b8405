#pragma once

// The single writer: the only code that writes the database. Producers on any thread submit
// events; the writer, on its own thread (so a COMMIT's fsync never stalls the event loop), takes
// everything pending (up to max_batch events) into one transaction, then runs each submission's
// completion with its own counts. Maintenance work that writes (settings, retention) is posted
// as tasks and runs between batches. WAL checkpoints run beside it (wal_checkpointer).

#include <atomic>
#include <boost/asio/async_result.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <cpamd/store/batch_writer.hpp>
#include <cpamd/store/sqlite.hpp>
#include <cpamd/store/wal_checkpointer.hpp>
#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace cpamd::store
{

struct writer_options
{
    std::size_t max_batch = 4096; // events per transaction
    // WAL frames after which a checkpoint runs beside the writer (see wal_checkpointer).
    int wal_checkpoint_frames = wal_checkpointer::default_threshold_frames;
    // Every batch stores its rollup sums in rollup_pending (rollup_mode::defer); they are folded
    // into rollup_hour this long after the first of them, by drain(), or at 65 536 pending
    // events, whichever comes first. Zero (or less) folds every batch at once.
    std::chrono::milliseconds rollup_fold_delay{1000};
    // Events read per step when the rollups' context bands are re-derived (context_bands.hpp);
    // batches of new events run between steps.
    std::int64_t band_rederive_step_events = 20000;
    // Projections (projections.hpp): hours whose events changed are projected again this long
    // after a batch, at most this many events per step, batches running between steps.
    std::chrono::milliseconds projection_delay{1000};
    std::int64_t projection_step_events = 20000;
};

struct writer_stats
{
    std::uint64_t inserted = 0;
    std::uint64_t duplicates = 0;
    std::uint64_t rejected = 0;
    std::uint64_t rejects_dropped = 0; // oldest rejects deleted to keep the table within its caps
    std::uint64_t batches = 0;
    std::uint64_t failed_batches = 0; // batches that wrote nothing (the spool replays them)
    std::uint64_t failed_folds = 0;   // folds of deferred rollups that failed (retried; reads stay exact)
    std::uint64_t pending = 0;        // events submitted but not yet committed
    std::int64_t last_insert_ms = 0;
    std::uint64_t last_batch_events = 0;
    std::uint64_t last_batch_micros = 0;
    std::uint64_t background_checkpoints = 0; // WAL checkpoints beside the writer
    std::uint64_t writer_checkpoints = 0;     // those the writer ran itself at the hard limit
    std::optional<checkpoint_report> last_checkpoint;
    std::string last_error; // cleared once the failing work (a batch, or the fold) succeeds again
};

struct write_result
{
    std::optional<std::string> error; // set when the transaction failed (nothing was written)
    write_counts counts;
    std::vector<bool> inserted; // per event: new (true) or duplicate (false)
    // The submitted events, handed back so that they are freed wherever the result goes (the
    // awaitable form: the caller's executor), not on the writer thread.
    std::vector<usage::event> events;
};

class event_writer
{
public:
    using completion = std::function<void(write_result)>;
    using task = std::function<void(connection&)>;

    // Opens the writer connection (creating and migrating the file). Throws on failure.
    explicit event_writer(const std::filesystem::path& db_path, writer_options o = {});
    ~event_writer(); // finishes everything pending, then stops
    event_writer(const event_writer&) = delete;
    event_writer& operator=(const event_writer&) = delete;

    // Any thread. `done` runs on the writer thread after the commit (or the failure). What the
    // writer can work out from the events alone (whether each hash needs storing) is worked out
    // here, on the submitting thread.
    void submit(std::vector<usage::event> events, std::vector<rejected_record> rejects, completion done);

    // Awaitable form: completes on the caller's executor with the write_result.
    template <class Token>
    auto async_write(std::vector<usage::event> events, std::vector<rejected_record> rejects, Token&& token)
    {
        return boost::asio::async_initiate<Token, void(write_result)>(
            [this](auto handler, std::vector<usage::event> evs, std::vector<rejected_record> rjs)
            {
                auto work = boost::asio::make_work_guard(handler);
                auto shared = std::make_shared<decltype(handler)>(std::move(handler));
                submit(
                    std::move(evs),
                    std::move(rjs),
                    [shared, work](write_result r) mutable
                    {
                        auto ex = work.get_executor();
                        boost::asio::dispatch(
                            ex, [shared, r = std::move(r)]() mutable { (*shared)(std::move(r)); }
                        );
                        work.reset();
                    }
                );
            },
            token,
            std::move(events),
            std::move(rejects)
        );
    }

    // Runs `t` on the writer thread between batches. `done` gets an error text or nullopt.
    void post_task(task t, std::function<void(std::optional<std::string>)> done = {});

    // Awaitable form: completes on the caller's executor with the error text (nullopt on success).
    template <class Token>
    auto async_run(task t, Token&& token)
    {
        return boost::asio::async_initiate<Token, void(std::optional<std::string>)>(
            [this](auto handler, task work_item)
            {
                auto work = boost::asio::make_work_guard(handler);
                auto shared = std::make_shared<decltype(handler)>(std::move(handler));
                post_task(
                    std::move(work_item),
                    [shared, work](std::optional<std::string> error) mutable
                    {
                        auto ex = work.get_executor();
                        boost::asio::dispatch(
                            ex, [shared, error = std::move(error)]() mutable { (*shared)(std::move(error)); }
                        );
                        work.reset();
                    }
                );
            },
            token,
            std::move(t)
        );
    }

    writer_stats stats() const;

    // Runs a checkpoint on the writer's connection (call from a task) and keeps its report for
    // stats().last_checkpoint.
    void checkpoint(connection& db, bool truncate);
    const std::filesystem::path& path() const { return path_; }

    // Waits until everything submitted so far is written and its rollups folded (a fold that
    // fails stays pending, counted by reads, and is retried later). For tests and shutdown.
    void drain();

private:
    struct submission
    {
        std::vector<usage::event> events;
        std::vector<std::uint8_t> hash_recomputable; // per event, see event_part
        std::vector<rejected_record> rejects;
        completion done;
    };
    void schedule();
    void flush();
    void arm_rollup_fold(std::chrono::milliseconds delay);
    void fold_rollups();
    void arm_band_rederive(std::chrono::milliseconds delay);
    void rederive_bands();
    void arm_projection(std::chrono::milliseconds delay);
    void project();
    static constexpr std::chrono::milliseconds min_fold_retry{1000};

    std::filesystem::path path_;
    writer_options options_;
    connection db_;
    std::unique_ptr<batch_writer> batch_;
    wal_checkpointer checkpointer_; // watches db_: its commits never run a checkpoint themselves
    boost::asio::thread_pool thread_{1};

    // Touched only on the writer thread.
    std::deque<submission> pending_;
    bool scheduled_ = false;
    boost::asio::steady_timer fold_timer_{thread_.get_executor()};
    bool fold_armed_ = false;
    boost::asio::steady_timer rederive_timer_{thread_.get_executor()};
    bool rederive_armed_ = false;
    boost::asio::steady_timer projection_timer_{thread_.get_executor()};
    bool projection_armed_ = false;
    // When the armed projection runs: a sooner arm replaces it (a price change must not wait for
    // the end of the hour a quiet writer waits for).
    boost::asio::steady_timer::time_point projection_due_{};
    bool stopping_ = false; // set by the destructor: failed folds are no longer retried

    mutable std::mutex stats_mutex_;
    writer_stats stats_;
    std::atomic<std::uint64_t> pending_events_{0};
};

} // namespace cpamd::store
