#pragma once

// Everything the connections of one simulated CPA share. Single-threaded: only the io_context
// thread touches it, so no locks.

#include "auth_guard.hpp"
#include "ledger.hpp"
#include "options.hpp"
#include "request_log.hpp"
#include "usage_queue.hpp"

#include <cstdint>
#include <deque>
#include <functional>
#include <list>
#include <map>
#include <string>
#include <vector>

namespace cpamd::sim
{

// Runtime config, as CPA would hold it after loading config.yaml.
struct runtime_config
{
    bool usage_statistics_enabled = false;
    std::string proxy_url;
    std::vector<std::string> api_keys;
    bool debug = false;
    int request_retry = 3;
    std::string extra_yaml; // unknown lines of the last PUT config.yaml, kept for round trips
};

struct fault_state
{
    int delay_ms = 0;
    int fail_500 = 0;          // remaining forced 500s (-1: forever)
    int drop_mid_response = 0; // remaining cut responses (-1: forever)
    bool old_cpa = false;
    bool resp_disabled = false;
    // Hostile or broken CPA (docs/cpa-sim.md "Faults"). Neither pops the real queue.
    int over_answer = 0;               // pops answer this many synthetic items, whatever the count
    int garbage_bytes = 0;             // HTTP pops answer 200 with this many bytes that are not JSON
    bool subscribe_garbage = false;    // a malformed frame follows the subscribe confirmation
    std::uint64_t garbage_replies = 0; // numbers the garbage bodies, so no two are alike
};

struct auth_file
{
    std::string name;
    std::string content;
    std::string provider;
    std::string email;
    std::string auth_index;
    bool disabled = false;
    std::string modtime;
};

// Open connections, so a simulated restart can close them all.
class connection_registry
{
public:
    using handle = std::list<std::function<void()>>::iterator;
    handle add(std::function<void()> closer) { return closers_.insert(closers_.end(), std::move(closer)); }
    void remove(handle h) { closers_.erase(h); }
    void close_all()
    {
        auto copy = closers_;
        for (auto& c : copy)
            c();
    }
    std::size_t size() const { return closers_.size(); }

private:
    std::list<std::function<void()>> closers_;
};

struct sim_context
{
    explicit sim_context(options o);

    options opts;
    runtime_config config;
    fault_state faults;
    ledger ledger_file;
    usage_queue queue;
    auth_guard auth;
    request_log requests;
    connection_registry connections;
    std::map<std::string, auth_file> auth_files;
    std::deque<std::string> log_lines; // "[timestamp] message", newest last
    std::uint64_t next_connection_id = 1;
    std::uint64_t restarts = 0;
    bool paused = false;
    bool generator_done = false;
    bool stopping = false;
    bool restart_pending = false; // set by the control API, run after its reply is written

    void add_log_line(const std::string& message);
    // {"refresh":true} to usage subscribers, as CPA's watcher does after auth files change.
    void broadcast_refresh() { queue.publish_control(R"({"refresh":true})"); }
    // Like a real CPA restart: queue emptied, subscribers and all connections closed.
    void restart();
};

} // namespace cpamd::sim
