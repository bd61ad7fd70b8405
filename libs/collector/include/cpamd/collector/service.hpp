#pragma once

// The collector as the daemon holds it: spool + ingest (for the daemon's whole life) and one
// supervisor run at a time, restarted with fresh settings after /setup or a config save.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/json/object.hpp>
#include <cpamd/collector/ingest.hpp>
#include <cpamd/collector/intake_gate.hpp>
#include <cpamd/collector/plugin_loader.hpp>
#include <cpamd/collector/sink.hpp>
#include <cpamd/collector/spool.hpp>
#include <cpamd/collector/status.hpp>
#include <cpamd/collector/supervisor.hpp>
#include <functional>
#include <memory>
#include <optional>

namespace cpamd::collector
{

struct service_options
{
    std::filesystem::path data_dir;   // the spool lives in <data_dir>/spool
    std::filesystem::path plugin_dir; // USAGE_PLUGIN_DIR; empty: the default search
    boost::asio::any_io_executor executor;
    store::event_writer* writer = nullptr;
    // The settings to collect with, read fresh at every (re)start; nullopt: not configured or
    // collection disabled (the collector stays stopped).
    std::function<boost::asio::awaitable<std::optional<run_settings>>()> resolve;
    // Disk reserve and backlog bounds (docs/collector.md "Bounds").
    intake_limits limits;
};

class collector_service
{
public:
    // Opens the spool (throws std::system_error if it cannot) and queues its leftovers for the
    // database; loads the plugins.
    explicit collector_service(service_options o);
    ~collector_service();

    // Starts the ingest and the first run. Call once, before the io_context runs or on it.
    void start();
    // Any thread: stop the current run (closing its collectors), then start with fresh settings.
    void restart();
    // Stops collecting, then stores everything spooled. Completes when the ingest is idle.
    boost::asio::awaitable<void> stop();

    boost::json::object status() const;

private:
    boost::asio::awaitable<void> restart_loop();
    boost::asio::awaitable<void> stop_current();
    boost::asio::awaitable<void> wait();

    service_options options_;
    boost::asio::strand<boost::asio::any_io_executor> strand_;
    spool spool_;
    status_board status_;
    ingest ingest_;
    intake_gate gate_;
    spool_sink sink_;
    std::vector<loaded_plugin> plugins_;

    // Strand only.
    boost::asio::steady_timer wake_;
    std::shared_ptr<supervisor> current_;
    bool run_done_ = true;
    bool ingest_done_ = true;
    bool restarting_ = false, restart_again_ = false, stopped_ = false;
};

} // namespace cpamd::collector
