#include <chrono>
#include <cpamd/collector/status.hpp>

namespace cpamd::collector
{
namespace
{

constexpr std::int64_t rate_window_ms = 10'000;

boost::json::value ms_or_null(std::int64_t ms)
{
    return ms ? boost::json::value(ms) : boost::json::value(nullptr);
}

} // namespace

std::int64_t status_board::now_ms()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch()
    )
        .count();
}

void status_board::set_state(std::string state)
{
    std::lock_guard lock(mutex_);
    state_ = std::move(state);
}

void status_board::set_run(std::string upstream, std::string mode, std::string queue)
{
    std::lock_guard lock(mutex_);
    upstream_ = std::move(upstream);
    mode_ = std::move(mode);
    queue_ = std::move(queue);
}

void status_board::set_transport(std::string transport)
{
    std::lock_guard lock(mutex_);
    transport_ = std::move(transport);
}

void status_board::set_connected(std::string transport)
{
    std::lock_guard lock(mutex_);
    if (transport != active_)
        connected_since_ms_ = transport.empty() ? 0 : now_ms();
    active_ = std::move(transport);
}

void status_board::set_error(std::string message)
{
    std::lock_guard lock(mutex_);
    last_error_ = std::move(message);
}

void status_board::clear_error(std::string_view prefix)
{
    std::lock_guard lock(mutex_);
    if (!prefix.empty() && last_error_.starts_with(prefix))
        last_error_.clear();
}

void status_board::add_lost(std::uint64_t records)
{
    std::lock_guard lock(mutex_);
    lost_ += records;
}

void status_board::add_unusable()
{
    std::lock_guard lock(mutex_);
    ++unusable_;
}

void status_board::add_reconnect()
{
    std::lock_guard lock(mutex_);
    ++reconnects_;
}

void status_board::add_consumed(std::uint64_t records)
{
    auto now = now_ms();
    std::lock_guard lock(mutex_);
    consumed_ += records;
    last_consumed_ms_ = now;
    recent_.emplace_back(now, records);
    while (!recent_.empty() && recent_.front().first < now - rate_window_ms)
        recent_.pop_front();
}

void status_board::add_stored(std::uint64_t inserted, std::uint64_t skipped, std::uint64_t rejected)
{
    auto now = now_ms();
    std::lock_guard lock(mutex_);
    inserted_ += inserted;
    skipped_ += skipped;
    rejected_ += rejected;
    if (inserted)
        last_inserted_ms_ = now;
}

void status_board::set_spool_depth(std::uint64_t batches)
{
    std::lock_guard lock(mutex_);
    spool_depth_ = batches;
}

std::string status_board::state() const
{
    std::lock_guard lock(mutex_);
    return state_;
}

std::uint64_t status_board::total_inserted() const
{
    std::lock_guard lock(mutex_);
    return inserted_;
}

boost::json::object status_board::to_json() const
{
    auto now = now_ms();
    std::lock_guard lock(mutex_);
    std::uint64_t recent = 0;
    for (const auto& [ms, n] : recent_)
        if (ms >= now - rate_window_ms)
            recent += n;
    boost::json::object o;
    o["collector"] = state_;
    o["upstream"] = upstream_;
    o["mode"] = mode_;
    o["transport"] = transport_;
    o["queue"] = queue_;
    o["lastConsumedAt"] = ms_or_null(last_consumed_ms_);
    o["lastInsertedAt"] = ms_or_null(last_inserted_ms_);
    o["totalInserted"] = inserted_;
    o["totalSkipped"] = skipped_;
    if (!last_error_.empty())
        o["lastError"] = last_error_;
    // Ours.
    o["activeTransport"] = active_;
    o["connectedSince"] = ms_or_null(connected_since_ms_);
    o["eventsPerSecond"] = static_cast<double>(recent) / (rate_window_ms / 1000.0);
    o["spoolDepth"] = spool_depth_;
    o["reconnects"] = reconnects_;
    o["totalConsumed"] = consumed_;
    o["rejected"] = rejected_;
    o["lostRecords"] = lost_;
    o["unusableReplies"] = unusable_;
    return o;
}

} // namespace cpamd::collector
