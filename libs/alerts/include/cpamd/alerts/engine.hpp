#pragma once

// The alerts engine (docs/alerts.md): every `evaluateSeconds` it reads the events stored since
// its last look into the usage window, evaluates the rules, keeps the notices in the history
// and hands them to the sinks. One coroutine on the daemon's io_context, no thread of its own;
// the reads run on the store's reader pool, the history writes on its writer. Deliveries run
// beside the loop, so a dead receiver delays nothing else.
//
// Holds no I/O object (timers live in the coroutines), so it may outlive the io_context; make it
// before the store, so the store's reader threads end before it goes.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <cpamd/alerts/alert_config.hpp>
#include <cpamd/alerts/alert_tracker.hpp>
#include <cpamd/alerts/delivery.hpp>
#include <cpamd/alerts/usage_window.hpp>
#include <cpamd/store/store.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace cpamd::alerts
{

struct engine_options
{
    boost::asio::any_io_executor executor;
    store::store* db = nullptr;
    // The collector block of /status (collector/status.hpp); unset: no collector.
    std::function<boost::json::object()> collector_status;
    // Delivery pauses between attempts start here (tests shorten it).
    std::chrono::milliseconds first_retry_pause{std::chrono::seconds(1)};
};

// Deliveries waiting or under way beyond which new ones are dropped (and counted).
inline constexpr std::size_t max_pending_deliveries = 256;

struct sink_counters
{
    std::uint64_t delivered = 0, failed = 0, attempts = 0;
    std::string last_error;
    std::int64_t last_at_ms = 0;
};

struct engine_counters
{
    std::map<std::string, std::uint64_t> notices; // by event: firing, resolved, test
    std::map<std::string, sink_counters> sinks;   // by sink id
    std::uint64_t evaluations = 0;
    std::uint64_t dropped = 0; // deliveries not started: too many pending
    std::size_t active = 0;
    bool ready = false; // the window holds what the rules look back on
};

class engine : public std::enable_shared_from_this<engine>
{
public:
    explicit engine(engine_options o);

    // Starts the loop with `config` (the stored or file configuration).
    void start(alerts_config config);
    // A new configuration: evaluation restarts from it at once.
    void apply(alerts_config config);
    // Sends a test notice to one sink (or every enabled one when `sink_id` is empty) with one
    // attempt each; the notice goes into the history.
    boost::asio::awaitable<std::vector<delivery_result>> send_test(std::string sink_id);

    std::vector<active_alert> active() const;
    engine_counters counters() const;

private:
    static boost::asio::awaitable<void> run(std::shared_ptr<engine> self);
    boost::asio::awaitable<void> prepare_window(const alerts_config& config, std::int64_t now_ms);
    boost::asio::awaitable<void> evaluate(const alerts_config& config, std::int64_t now_ms);
    daemon_facts facts(std::int64_t now_ms);
    // Keeps each notice in the history, then starts its deliveries.
    boost::asio::awaitable<void> publish(const alerts_config& config, std::vector<notice> notices);
    static boost::asio::awaitable<delivery_result>
    deliver_one(std::shared_ptr<engine> self, sink s, notice n, delivery_settings d, std::int64_t history_id);

    engine_options options_;
    usage_window window_;
    // The loop's own (one coroutine, so no lock).
    std::shared_ptr<const alerts_config> in_use_;
    daemon_facts facts_;
    alert_tracker tracker_;
    std::int64_t started_ms_ = 0;
    std::int64_t disconnected_since_ms_ = 0;
    std::uint64_t prepared_generation_ = ~std::uint64_t{0};

    mutable std::mutex mutex_; // what apply(), the routes and /metrics share with the loop
    std::shared_ptr<const alerts_config> config_;
    std::uint64_t generation_ = 0;
    std::vector<active_alert> active_;
    engine_counters counters_;
    std::size_t pending_deliveries_ = 0;
};

} // namespace cpamd::alerts
