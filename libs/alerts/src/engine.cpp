#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cpamd/alerts/engine.hpp>
#include <cpamd/alerts/history.hpp>
#include <cpamd/alerts/rule_eval.hpp>
#include <cpamd/analytics/local_time.hpp>
#include <cpamd/core/log.hpp>
#include <filesystem>

namespace cpamd::alerts
{
namespace
{

namespace asio = boost::asio;
using namespace std::chrono_literals;

// Events folded per reader call once the window is built.
constexpr std::size_t fold_chunk = 20'000;

std::int64_t now_ms()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch()
    )
        .count();
}

std::int64_t json_ms(const boost::json::object& o, std::string_view key)
{
    auto* v = o.if_contains(key);
    return v && v->is_int64()    ? v->as_int64()
           : v && v->is_uint64() ? static_cast<std::int64_t>(v->as_uint64())
                                 : 0;
}

std::uint64_t file_bytes(const std::filesystem::path& p)
{
    std::error_code ec;
    auto n = std::filesystem::file_size(p, ec);
    return ec ? 0 : n;
}

// The UTC instant the current day, week (from Monday) or month began in `z`.
std::int64_t period_start(const analytics::zone& z, budget_period p, std::int64_t now)
{
    const auto f = analytics::to_local(z, now);
    std::int64_t day = f.local_day;
    if (p == budget_period::week)
        day -= (f.weekday + 6) % 7;
    else if (p == budget_period::month)
        day -= f.day - 1;
    // 40 days back: the first (clipped) bucket is never the one looked for.
    for (const auto& b :
         analytics::buckets(z, now - 40 * analytics::ms_per_day, now + 1, analytics::granularity::day))
        if (b.local_day == day)
            return b.start_ms;
    return now;
}

// What the rules look back on.
usage_window::shape shape_of(const alerts_config& c, std::int64_t now)
{
    usage_window::shape s;
    const auto zone = analytics::find_zone(c.timezone).value_or(analytics::zone::utc());
    for (const auto& r : c.rules)
    {
        if (!r.enabled)
            continue;
        if (r.kind == rule_kind::failure_rate || r.kind == rule_kind::latency_p95)
            s.minutes = std::max(s.minutes, r.window_minutes);
        if (r.kind == rule_kind::budget)
        {
            const auto p = r.period == "week"    ? budget_period::week
                           : r.period == "month" ? budget_period::month
                                                 : budget_period::day;
            s.period_start[static_cast<std::size_t>(p)] = period_start(zone, p, now);
        }
    }
    return s;
}

} // namespace

engine::engine(engine_options o) : options_(std::move(o)) {}

void engine::start(alerts_config config)
{
    {
        std::lock_guard lock(mutex_);
        config_ = std::make_shared<const alerts_config>(std::move(config));
        ++generation_;
    }
    started_ms_ = now_ms();
    asio::co_spawn(options_.executor, run(shared_from_this()), asio::detached);
}

void engine::apply(alerts_config config)
{
    std::lock_guard lock(mutex_);
    config_ = std::make_shared<const alerts_config>(std::move(config));
    ++generation_;
}

asio::awaitable<void> engine::run(std::shared_ptr<engine> self)
{
    asio::steady_timer timer(co_await asio::this_coro::executor);
    auto next = std::chrono::steady_clock::now();
    // What was firing before a restart, so it is neither told twice nor left unresolved.
    try
    {
        auto firing = co_await self->options_.db->readers().run([](store::connection& c)
                                                                { return unresolved_firings(c); });
        self->tracker_.restore(firing);
    }
    catch (const std::exception& e)
    {
        log::error("alerts: cannot read the history's firing notices: {}", e.what());
    }
    for (;;)
    {
        std::shared_ptr<const alerts_config> config;
        std::uint64_t generation = 0;
        {
            std::lock_guard lock(self->mutex_);
            config = self->config_;
            generation = self->generation_;
        }
        const bool changed = generation != self->prepared_generation_;
        self->in_use_ = config; // what the reader threads read, held by the engine (outlives them)
        if (changed || std::chrono::steady_clock::now() >= next)
        {
            try
            {
                const auto now = now_ms();
                if (config->enabled)
                {
                    if (changed)
                        co_await self->prepare_window(*config, now);
                    co_await self->evaluate(*config, now);
                }
                else
                {
                    self->tracker_ = {};
                    std::lock_guard lock(self->mutex_);
                    self->active_.clear();
                    self->counters_.ready = false;
                }
            }
            catch (const std::exception& e)
            {
                log::error("alerts: evaluation failed: {}", e.what());
            }
            self->prepared_generation_ = generation;
            next = std::chrono::steady_clock::now() + std::chrono::seconds(config->evaluate_seconds);
        }
        // A short wait, so a new configuration is taken within a quarter second.
        timer.expires_after(250ms);
        co_await timer.async_wait(asio::use_awaitable);
    }
}

asio::awaitable<void> engine::prepare_window(const alerts_config& config, std::int64_t now)
{
    {
        std::lock_guard lock(mutex_);
        counters_.ready = false;
    }
    const auto shape = shape_of(config, now);
    auto* window = &window_;
    // One hour of event time per reader call keeps a reader free for the routes.
    // Trivial values or engine-owned objects only: at shutdown this frame may go while a reader
    // still runs, and g++ 12 destroys a lambda's non-trivial captures twice here.
    while (!co_await options_.db->readers().run([window, shape, now](store::connection& c)
                                                { return window->rebuild(c, shape, now); }))
    {
    }
    std::lock_guard lock(mutex_);
    counters_.ready = true;
}

daemon_facts engine::facts(std::int64_t now)
{
    daemon_facts f;
    f.now_ms = now;
    f.watching_since_ms = started_ms_;
    if (options_.collector_status)
    {
        const auto s = options_.collector_status();
        auto text = [&](std::string_view k)
        {
            auto* v = s.if_contains(k);
            return v && v->is_string() ? std::string(v->as_string()) : std::string();
        };
        f.collector_enabled = text("collector") != "stopped" && !text("collector").empty();
        f.connected_since_ms = json_ms(s, "connectedSince");
        f.last_inserted_ms = json_ms(s, "lastInsertedAt");
        f.collector_error = text("lastError");
    }
    if (!f.collector_enabled || f.connected_since_ms != 0)
        disconnected_since_ms_ = 0;
    else if (disconnected_since_ms_ == 0)
        disconnected_since_ms_ = now;
    f.disconnected_since_ms = disconnected_since_ms_;
    const auto& db = options_.db->path();
    f.database_bytes = file_bytes(db);
    f.wal_bytes = file_bytes(db.string() + "-wal");
    return f;
}

asio::awaitable<void> engine::evaluate(const alerts_config& config, std::int64_t now)
{
    // A period that moved on starts its spend from zero.
    const auto zone = analytics::find_zone(config.timezone).value_or(analytics::zone::utc());
    for (std::size_t i = 0; i < budget_period_count; ++i)
    {
        const auto p = static_cast<budget_period>(i);
        if (auto start = window_.period_start(p))
            if (auto current = period_start(zone, p, now); current > *start)
                window_.roll_period(p, current);
    }
    auto* window = &window_;
    while (co_await options_.db->readers().run([window, now](store::connection& c)
                                               { return window->fold_new(c, now, fold_chunk); }) == fold_chunk
    )
    {
    }
    facts_ = facts(now);
    const auto* cfg = in_use_.get();
    const auto* f = &facts_;
    auto results = co_await options_.db->readers().run([cfg, window, f](store::connection& c)
                                                       { return evaluate_rules(*cfg, *window, c, *f); });
    auto notices = tracker_.update(results, now);
    {
        std::lock_guard lock(mutex_);
        active_ = tracker_.active();
        ++counters_.evaluations;
        counters_.active = active_.size();
    }
    co_await publish(config, std::move(notices));
}

asio::awaitable<void> engine::publish(const alerts_config& config, std::vector<notice> notices)
{
    delivery_settings d;
    d.timeout = std::chrono::seconds(config.timeout_seconds);
    d.retries = config.retries;
    d.first_pause = options_.first_retry_pause;
    for (auto& n : notices)
    {
        std::int64_t id = 0;
        auto error = co_await options_.db->writer().async_run(
            [&n, &id](store::connection& c) { id = add_notice(c, n); }, asio::use_awaitable
        );
        if (error)
            log::error("alerts: cannot store a notice: {}", *error);
        log::info("alert {}: {} ({})", n.event, n.message, n.rule);
        {
            std::lock_guard lock(mutex_);
            ++counters_.notices[n.event];
        }
        for (const auto& s : config.sinks)
        {
            if (!s.enabled ||
                (!n.sinks.empty() && std::find(n.sinks.begin(), n.sinks.end(), s.id) == n.sinks.end()))
                continue;
            {
                std::lock_guard lock(mutex_);
                if (pending_deliveries_ >= max_pending_deliveries)
                {
                    ++counters_.dropped;
                    ++counters_.sinks[s.id].failed;
                    continue;
                }
                ++pending_deliveries_;
            }
            asio::co_spawn(options_.executor, deliver_one(shared_from_this(), s, n, d, id), asio::detached);
        }
    }
}

asio::awaitable<delivery_result> engine::deliver_one(
    std::shared_ptr<engine> self, sink s, notice n, delivery_settings d, std::int64_t history_id
)
{
    auto r = co_await deliver(std::move(s), std::move(n), d);
    if (!r.ok)
        log::warn("alerts: delivery to sink {} failed after {} attempt(s): {}", r.sink, r.attempts, r.error);
    {
        std::lock_guard lock(self->mutex_);
        --self->pending_deliveries_;
        auto& c = self->counters_.sinks[r.sink];
        ++(r.ok ? c.delivered : c.failed);
        c.attempts += static_cast<std::uint64_t>(r.attempts);
        c.last_error = r.ok ? "" : r.error;
        c.last_at_ms = now_ms();
    }
    if (history_id != 0)
    {
        auto error = co_await self->options_.db->writer().async_run(
            [&r, history_id](store::connection& c) { add_delivery(c, history_id, r); }, asio::use_awaitable
        );
        if (error)
            log::error("alerts: cannot store a delivery: {}", *error);
    }
    co_return r;
}

asio::awaitable<std::vector<delivery_result>> engine::send_test(std::string sink_id)
{
    std::shared_ptr<const alerts_config> config;
    {
        std::lock_guard lock(mutex_);
        config = config_;
    }
    notice n;
    n.rule = "test";
    n.kind = "test";
    n.subject = "all";
    n.event = "test";
    n.level = "warning";
    n.message = "Test notice from cpamd: this sink works.";
    n.at_ms = n.since_ms = now_ms();
    std::int64_t id = 0;
    co_await options_.db->writer().async_run(
        [&n, &id](store::connection& c) { id = add_notice(c, n); }, asio::use_awaitable
    );
    {
        std::lock_guard lock(mutex_);
        ++counters_.notices[n.event];
    }
    delivery_settings d;
    d.timeout = std::chrono::seconds(config->timeout_seconds);
    d.retries = 0;
    // Every sink at once; the answer waits for the slowest (at most the timeout).
    struct gather
    {
        std::mutex mutex;
        std::vector<delivery_result> results;
    };
    auto g = std::make_shared<gather>();
    std::size_t started = 0;
    for (const auto& s : config->sinks)
    {
        if (sink_id.empty() ? !s.enabled : s.id != sink_id)
            continue;
        ++started;
        {
            std::lock_guard lock(mutex_);
            ++pending_deliveries_;
        }
        asio::co_spawn(
            options_.executor,
            deliver_one(shared_from_this(), s, n, d, id),
            [g](std::exception_ptr, delivery_result r)
            {
                std::lock_guard lock(g->mutex);
                g->results.push_back(std::move(r));
            }
        );
    }
    asio::steady_timer poll(co_await asio::this_coro::executor);
    for (;;)
    {
        {
            std::lock_guard lock(g->mutex);
            if (g->results.size() == started)
                break;
        }
        poll.expires_after(20ms);
        co_await poll.async_wait(asio::use_awaitable);
    }
    std::lock_guard lock(g->mutex);
    co_return std::move(g->results);
}

std::vector<active_alert> engine::active() const
{
    std::lock_guard lock(mutex_);
    return active_;
}

engine_counters engine::counters() const
{
    std::lock_guard lock(mutex_);
    return counters_;
}

} // namespace cpamd::alerts
