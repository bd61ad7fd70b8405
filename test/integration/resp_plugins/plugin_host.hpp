#pragma once

// A minimal collector host for the RESP plugin tests: loads a module with dlopen exactly as the daemon
// does (entry point, descriptor checks), runs its collector on a test io_context thread, and records
// what reaches the sink.

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cpamd/collector_api/collector.hpp>
#include <functional>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace cpamd::test
{

namespace capi = cpamd::collector_api;

// dlopen(RTLD_NOW | RTLD_LOCAL) of CPAMD_PLUGIN_DIR/<file>, dlsym of the entry point, and the
// descriptor checks a host makes. Throws with dlerror() text on failure. Never unloaded.
const capi::collector_descriptor* load_plugin(const std::string& file);

// Settings for a collector talking to 127.0.0.1:`port` with `key`.
capi::collector_settings local_settings(
    std::uint16_t port, const std::string& key, std::chrono::milliseconds timeout = std::chrono::seconds(5)
);

// Records every deliver() call. Can be made slow per call, or made to throw.
class recording_sink final : public capi::IEventSink
{
public:
    boost::asio::awaitable<void> deliver(std::span<const std::string> records, std::string_view via) override;
    void subscribed() override;

    // deliver() call i (0-based) sleeps delays[i] after recording, like a slow fsync.
    void set_delays(std::vector<std::chrono::milliseconds> delays);
    void fail_deliveries(bool on) { fail_ = on; }

    std::vector<std::string> records() const;
    std::vector<std::size_t> batch_sizes() const;
    std::vector<std::string> vias() const;
    std::size_t record_count() const;
    int subscribed_calls() const { return subscribed_; }

private:
    mutable std::mutex mutex_;
    std::vector<std::string> records_;
    std::vector<std::size_t> batches_;
    std::vector<std::string> vias_;
    std::vector<std::chrono::milliseconds> delays_;
    std::atomic<int> subscribed_{0};
    std::atomic<bool> fail_{false};
};

// One collector on its own io_context thread. close() and destruction follow the host contract:
// close, wait for pending calls, destroy through the descriptor.
class collector_harness
{
public:
    using create_fn = std::function<capi::ICollector*(const capi::collector_context&)>;
    using destroy_fn = std::function<void(capi::ICollector*)>;

    collector_harness(const capi::collector_descriptor* d, capi::collector_settings settings);
    collector_harness(create_fn create, destroy_fn destroy, capi::collector_settings settings);
    ~collector_harness();

    capi::ICollector& collector() { return *collector_; }
    recording_sink& sink() { return sink_; }

    // Runs pop(max) on the io thread and waits for it.
    capi::outcome pop(std::size_t max);
    // Starts subscribe() on the io thread.
    std::shared_future<capi::outcome> start_subscribe();
    // Waits for a call with a deadline (throws on timeout).
    static capi::outcome wait(const std::shared_future<capi::outcome>& f, std::chrono::milliseconds timeout);

private:
    boost::asio::io_context ioc_;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
    capi::collector_settings settings_;
    recording_sink sink_;
    destroy_fn destroy_;
    capi::ICollector* collector_ = nullptr;
    std::vector<std::shared_future<capi::outcome>> pending_;
    std::thread thread_;
};

std::string to_string(capi::outcome_code c);

} // namespace cpamd::test
