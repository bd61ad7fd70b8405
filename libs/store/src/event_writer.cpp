#include <algorithm>
#include <boost/asio/post.hpp>
#include <chrono>
#include <cpamd/core/log.hpp>
#include <cpamd/store/context_bands.hpp>
#include <cpamd/store/database.hpp>
#include <cpamd/store/event_writer.hpp>
#include <cpamd/store/projections.hpp>
#include <cpamd/store/writer_metrics.hpp>
#include <cpamd/usage/event_hash.hpp>
#include <cpamd/usage/timestamp.hpp>
#include <future>

namespace cpamd::store
{
namespace asio = boost::asio;

namespace
{
constexpr std::string_view fold_error_prefix = "folding rollups: ";
} // namespace

event_writer::event_writer(const std::filesystem::path& db_path, writer_options o)
    : path_(db_path), options_(o), db_(open_writer(db_path)), batch_(std::make_unique<batch_writer>(db_)),
      checkpointer_(db_path, o.wal_checkpoint_frames)
{
    checkpointer_.watch(db_);
    // Sums a previous writer left pending (it crashed, or a backup was restored) are folded as
    // if its last batch had just deferred them.
    asio::post(
        thread_,
        [this]
        {
            if (batch_->pending_rollup_events() > 0)
                arm_rollup_fold(options_.rollup_fold_delay);
            // Copies back what a previous run left in the WAL, and gives /status a first report.
            checkpoint(db_, false);
            // A database from before schema v4, or prices changed by another process: bands
            // of the current thresholds, re-derived in the background.
            try
            {
                transaction tx(db_);
                refresh_context_bands(db_);
                tx.commit();
            }
            catch (const std::exception& e)
            {
                log::error("store: reading the context thresholds failed: {}", e.what());
            }
            arm_band_rederive(std::chrono::milliseconds(0));
            arm_projection(std::chrono::milliseconds(0));
        }
    );
}

event_writer::~event_writer()
{
    // From here a failing fold is not retried: an armed retry would keep the pool from joining.
    asio::post(
        thread_,
        [this]
        {
            stopping_ = true;
            projection_timer_.cancel(); // it may wait for the end of the hour
        }
    );
    drain();
    thread_.join();
    sqlite3_wal_hook(db_.handle(), nullptr, nullptr); // the checkpointer goes first
}

void event_writer::submit(
    std::vector<usage::event> events, std::vector<rejected_record> rejects, completion done
)
{
    pending_events_ += events.size();
    std::vector<std::uint8_t> recomputable;
    recomputable.reserve(events.size());
    for (const auto& ev : events)
        recomputable.push_back(usage::hash_is_recomputable(ev) ? 1 : 0);
    asio::post(
        thread_,
        [this,
         s = submission{std::move(events), std::move(recomputable), std::move(rejects), std::move(done)}](
        ) mutable
        {
            pending_.push_back(std::move(s));
            schedule();
        }
    );
}

void event_writer::schedule()
{
    if (scheduled_)
        return;
    scheduled_ = true;
    // Posted behind every submission already queued, so they all join this batch.
    asio::post(thread_, [this] { flush(); });
}

void event_writer::flush()
{
    scheduled_ = false;
    if (pending_.empty())
        return;
    std::vector<submission> batch;
    std::size_t n = 0;
    while (!pending_.empty() && (batch.empty() || n + pending_.front().events.size() <= options_.max_batch))
    {
        n += pending_.front().events.size();
        batch.push_back(std::move(pending_.front()));
        pending_.pop_front();
    }
    if (!pending_.empty())
        schedule();

    // The events stay in their submissions (moving thousands of large events costs more than
    // handing the writer a list of parts); rejects are few and are gathered.
    std::vector<event_part> parts;
    std::vector<rejected_record> rejects;
    for (auto& s : batch)
    {
        parts.push_back({s.events, s.hash_recomputable});
        std::move(s.rejects.begin(), s.rejects.end(), std::back_inserter(rejects));
    }
    auto started = std::chrono::steady_clock::now();
    std::vector<bool> inserted;
    std::optional<std::string> error;
    write_counts total;
    // Deferred, the rollups of many batches are folded once per key instead of once per key and
    // batch: at a high rate, a batch's events share few keys, the next batches' events many.
    auto mode = options_.rollup_fold_delay.count() <= 0 ? rollup_mode::fold : rollup_mode::defer;
    try
    {
        total = batch_->write_parts(parts, rejects, &inserted, mode);
    }
    catch (const std::exception& e)
    {
        error = e.what();
    }
    auto micros =
        std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started);
    pending_events_ -= n;
    writer_metrics::process().record(n, static_cast<std::uint64_t>(micros.count()));
    if (batch_->pending_rollup_events() > 0)
        arm_rollup_fold(options_.rollup_fold_delay);
    if (!error && total.inserted > 0)
        arm_projection(options_.projection_delay);
    std::uint64_t rejects_dropped = 0;
    {
        std::lock_guard lock(stats_mutex_);
        stats_.batches++;
        stats_.last_batch_events = n;
        stats_.last_batch_micros = static_cast<std::uint64_t>(micros.count());
        if (error)
        {
            stats_.failed_batches++;
            stats_.last_error = *error;
        }
        else
        {
            stats_.inserted += total.inserted;
            stats_.duplicates += total.duplicates;
            stats_.rejected += total.rejected;
            rejects_dropped = total.rejects_dropped;
            stats_.rejects_dropped += rejects_dropped;
            // The failure is over (a full disk has room again): /status must not show it any more.
            // A failed fold stays reported while its sums are still pending.
            if (!stats_.last_error.starts_with(fold_error_prefix) || batch_->pending_rollup_events() == 0)
                stats_.last_error.clear();
            if (total.inserted)
                stats_.last_insert_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                            std::chrono::system_clock::now().time_since_epoch()
                )
                                            .count();
        }
    }
    if (rejects_dropped)
        log::warn("store: the rejects table is at its cap; dropped its {} oldest row(s)", rejects_dropped);
    // Hand each submission its own share of the outcome.
    std::size_t offset = 0;
    for (auto& s : batch)
    {
        write_result r;
        r.error = error;
        auto count = s.events.size();
        if (!error)
        {
            r.inserted.assign(
                inserted.begin() + static_cast<std::ptrdiff_t>(offset),
                inserted.begin() + static_cast<std::ptrdiff_t>(offset + count)
            );
            for (bool b : r.inserted)
                (b ? r.counts.inserted : r.counts.duplicates)++;
            r.counts.rejected = s.rejects.size();
        }
        offset += count;
        r.events = std::move(s.events);
        if (s.done)
            s.done(std::move(r));
    }
}

void event_writer::arm_rollup_fold(std::chrono::milliseconds delay)
{
    if (fold_armed_ || stopping_)
        return;
    fold_armed_ = true;
    fold_timer_.expires_after(delay);
    fold_timer_.async_wait(
        [this](boost::system::error_code ec)
        {
            fold_armed_ = false;
            if (!ec)
                fold_rollups();
        }
    );
}

void event_writer::fold_rollups()
{
    try
    {
        batch_->fold_pending_rollups();
        std::lock_guard lock(stats_mutex_);
        if (stats_.last_error.starts_with(fold_error_prefix))
            stats_.last_error.clear();
    }
    catch (const std::exception& e)
    {
        // Still pending and still counted by every read: tried again a delay later (at least a
        // second, so that a lasting failure such as a full disk does not spin the writer).
        log::error("store: folding the deferred rollups failed: {}", e.what());
        {
            std::lock_guard lock(stats_mutex_);
            stats_.failed_folds++;
            stats_.last_error = std::string(fold_error_prefix) + e.what();
        }
        arm_rollup_fold(std::max(options_.rollup_fold_delay, min_fold_retry));
    }
}

void event_writer::arm_band_rederive(std::chrono::milliseconds delay)
{
    if (rederive_armed_ || stopping_)
        return;
    try
    {
        if (!read_context_band_state(db_).rederiving())
            return;
    }
    catch (const std::exception&)
    {
        // The retry below reads it again.
    }
    rederive_armed_ = true;
    rederive_timer_.expires_after(delay);
    rederive_timer_.async_wait(
        [this](boost::system::error_code ec)
        {
            rederive_armed_ = false;
            if (!ec)
                rederive_bands();
        }
    );
}

void event_writer::rederive_bands()
{
    if (stopping_)
        return;
    try
    {
        // Folded first: a pending delta of a re-derived hour would be added on top of it.
        batch_->fold_pending_rollups();
        transaction tx(db_);
        bool more = rederive_context_bands_step(db_, options_.band_rederive_step_events);
        tx.commit();
        if (more)
            arm_band_rederive(std::chrono::milliseconds(0)); // behind the batches queued meanwhile
    }
    catch (const std::exception& e)
    {
        log::error("store: re-deriving the rollups' context bands failed: {}", e.what());
        arm_band_rederive(min_fold_retry);
    }
}

void event_writer::arm_projection(std::chrono::milliseconds delay)
{
    if (stopping_)
        return;
    const auto due = boost::asio::steady_timer::clock_type::now() + delay;
    if (projection_armed_ && due >= projection_due_)
        return;
    projection_armed_ = true;
    projection_due_ = due;
    projection_timer_.expires_at(due); // a later wait ends with operation_aborted
    projection_timer_.async_wait(
        [this](boost::system::error_code ec)
        {
            if (ec)
                return; // replaced by a sooner one, or stopping
            projection_armed_ = false;
            project();
        }
    );
}

void event_writer::project()
{
    if (stopping_)
        return;
    const auto now_hour = usage::now_utc().unix_ms() / 3'600'000;
    try
    {
        transaction tx(db_);
        const auto thresholds = read_context_band_state(db_).thresholds;
        bool more = project_step(db_, now_hour, thresholds, options_.projection_step_events);
        tx.commit();
        if (more)
        {
            arm_projection(std::chrono::milliseconds(0)); // behind the batches queued meanwhile
            return;
        }
        // The hour being written is projected once it has ended, even if nothing comes after.
        if (queued_projection_hours(db_) > 0)
        {
            const auto next_hour_ms = (now_hour + 1) * 3'600'000 - usage::now_utc().unix_ms();
            arm_projection(std::chrono::milliseconds(std::max<std::int64_t>(next_hour_ms, 0) + 1000));
        }
    }
    catch (const std::exception& e)
    {
        log::error("store: projecting hours failed: {}", e.what());
        arm_projection(min_fold_retry);
    }
}

void event_writer::post_task(task t, std::function<void(std::optional<std::string>)> done)
{
    asio::post(
        thread_,
        [this, t = std::move(t), done = std::move(done)]
        {
            std::optional<std::string> error;
            try
            {
                t(db_);
            }
            catch (const std::exception& e)
            {
                error = e.what();
            }
            // The task may have changed the prices' context thresholds (refresh_context_bands),
            // or deleted events (retention): both queue projections again.
            arm_band_rederive(std::chrono::milliseconds(0));
            arm_projection(options_.projection_delay);
            if (done)
                done(std::move(error));
        }
    );
}

writer_stats event_writer::stats() const
{
    std::lock_guard lock(stats_mutex_);
    auto s = stats_;
    s.pending = pending_events_.load();
    auto checkpoints = checkpointer_.checkpoints();
    s.background_checkpoints = checkpoints.background;
    s.writer_checkpoints = checkpoints.writer;
    s.last_checkpoint = checkpointer_.last();
    return s;
}

void event_writer::checkpoint(connection& db, bool truncate)
{
    checkpointer_.note(run_checkpoint(
        db.handle(), nullptr, truncate ? SQLITE_CHECKPOINT_TRUNCATE : SQLITE_CHECKPOINT_PASSIVE
    ));
}

void event_writer::drain()
{
    // Two round trips: the first lets queued submissions schedule their flush, the second runs
    // after it (flushes re-post themselves while anything is pending).
    for (;;)
    {
        std::promise<void> p;
        asio::post(thread_, [&p] { p.set_value(); });
        p.get_future().wait();
        if (pending_events_.load() == 0)
        {
            std::promise<bool> empty;
            asio::post(
                thread_,
                [&]
                {
                    bool idle = pending_.empty() && !scheduled_;
                    if (idle && batch_->pending_rollup_events() > 0)
                    {
                        fold_timer_.cancel(); // this fold replaces the timer's (or its retry)
                        fold_rollups();
                    }
                    empty.set_value(idle);
                }
            );
            if (empty.get_future().get())
                return;
        }
    }
}

} // namespace cpamd::store
