#pragma once

// One collection run with fixed settings (a restart makes a new one): creates the collectors from
// the loaded plugins and drives them (docs/collector.md "Modes"):
//  * http / resp: a pop loop (re-pop at once while batches come back full, sleep the poll
//    interval otherwise), falling back to the other pop transport when CPA says unsupported;
//  * subscribe: subscribe, drain by popping what was queued before each (re)subscription, and
//    resubscribe when it ends;
//  * auto (lossless): drain by popping, subscribe, drain once more after `subscribed()` (events
//    queued in the gap), and when the subscription ends pop again before resubscribing.
// At most one pop runs at a time. io_error/auth_failed back off 1 s doubling to 30 s with jitter.
// Nothing is taken from CPA while the intake gate is closed (a full disk, a large backlog): pops
// wait, and a live subscription is ended (docs/collector.md "Bounds").

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <cpamd/collector/intake_gate.hpp>
#include <cpamd/collector/plugin_loader.hpp>
#include <cpamd/collector/sink.hpp>
#include <cpamd/collector/status.hpp>
#include <cpamd/core/config.hpp>
#include <memory>
#include <optional>

namespace cpamd::collector
{

struct run_settings
{
    std::string base_url;
    std::string management_key; // secret
    collector_mode mode = collector_mode::automatic;
    std::string queue = "usage";
    bool pop_left = false;
    int batch_size = 100;
    int poll_interval_ms = 500;
    bool tls_skip_verify = false;
};

class supervisor
{
public:
    supervisor(
        boost::asio::any_io_executor ex,
        run_settings settings,
        const std::vector<loaded_plugin>& plugins,
        spool_sink& sink,
        status_board& status,
        intake_gate& gate
    );
    ~supervisor(); // destroys the collectors (after run() has completed)
    supervisor(const supervisor&) = delete;
    supervisor& operator=(const supervisor&) = delete;

    // Completes after stop(). Runs on the supervisor's strand.
    boost::asio::awaitable<void> run();
    // Any thread: ends run() after the pop in flight (if any) completed; closes a subscription.
    void stop();

private:
    class forwarding_sink;
    struct handle;
    enum class drain_end
    {
        empty,     // the queue is empty
        failed,    // io_error / auth_failed: back off
        cancelled, // stop()
        none,      // no pop transport works
    };

    boost::asio::awaitable<void> main_loop();
    boost::asio::awaitable<void> poll_loop();
    boost::asio::awaitable<void> subscribe_loop();
    boost::asio::awaitable<void> auto_loop();
    boost::asio::awaitable<drain_end> drain(bool sleep_between);
    boost::asio::awaitable<void> subscription(collector_api::ICollector* c);
    // Subscribes; once confirmed, drains what was queued before and watches the subscription until
    // it ends. False after stop().
    boost::asio::awaitable<bool> subscribe_and_drain();
    boost::asio::awaitable<void> watch_subscription();
    // Ends the live subscription on purpose and replaces the closed subscriber with a fresh one.
    boost::asio::awaitable<void> end_subscription(const std::string& why);
    // Waits until the intake gate lets records in. False after stop().
    boost::asio::awaitable<bool> wait_for_intake();
    boost::asio::awaitable<void> sleep(std::chrono::milliseconds d);
    boost::asio::awaitable<void> wait_for_signal();
    boost::asio::awaitable<void> wait_for_signal(std::chrono::milliseconds limit);
    collector_api::ICollector* pop_transport();
    std::chrono::milliseconds next_backoff();
    void note_failure(const collector_api::outcome& r, std::string_view transport);
    void note_disk(const std::string& why);
    void renew_subscriber();
    void signal();

    boost::asio::any_io_executor executor_;
    boost::asio::strand<boost::asio::any_io_executor> strand_;
    collector_api::collector_settings api_settings_;
    run_settings settings_;
    status_board& status_;
    intake_gate& gate_;
    std::unique_ptr<forwarding_sink> sink_;
    std::vector<std::unique_ptr<handle>> collectors_;
    collector_api::ICollector* http_ = nullptr;
    collector_api::ICollector* resp_ = nullptr;
    collector_api::ICollector* subscribe_ = nullptr;

    // Strand only.
    boost::asio::steady_timer sleep_; // interruptible sleeps
    boost::asio::steady_timer wake_;  // parked; cancelled by subscribed(), subscription end, stop()
    bool stopping_ = false;
    bool http_unsupported_ = false, resp_unsupported_ = false;
    bool subscribed_ = false, subscription_done_ = true;
    std::optional<collector_api::outcome> subscription_result_;
    std::chrono::milliseconds backoff_{0};
    bool disk_blocked_ = false;   // the gate is closed for lack of disk space
    bool unsubscribed_ = false;   // the last subscription was ended on purpose (intake gate)
    std::string subscribe_error_; // shown until a subscription stays up short_subscription
    std::chrono::steady_clock::time_point subscribed_at_{};
};

// "auto", "http", ... as upstream spells the modes.
std::string mode_name(collector_mode m);

} // namespace cpamd::collector
