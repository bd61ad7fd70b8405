#pragma once

// The alerts suite's parts: loopback receivers (HTTP and SMTP, receivers.py), usage records made
// for cpa-sim's queue, and the daemon's alerts API.

#include "collector_fixture.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace cpamd::test
{

// receivers.py as a child: every request (or e-mail) it got, as JSON objects.
class receiver
{
public:
    explicit receiver(const std::string& mode); // "http" or "smtp"
    std::uint16_t port() const { return port_; }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
    std::vector<boost::json::object> received() const;

private:
    temp_dir dir_;
    std::unique_ptr<child_process> proc_;
    std::uint16_t port_ = 0;
};

// One usage record for cpa-sim's queue, stamped now.
struct usage_record
{
    std::string auth_index = "00000000000000c3";
    std::optional<int> status; // failed with this HTTP status
    std::int64_t latency_ms = 100;
    std::string model = "gpt-5";
    std::int64_t input_tokens = 100, output_tokens = 10;
};
std::string record_lines(const std::vector<usage_record>& records);
std::vector<usage_record> repeat(const usage_record& r, int n);

// Enqueues the records in cpa-sim and waits until the daemon stored `expected_events` in all.
void feed(
    sim_process& sim,
    running_daemon& d,
    const std::vector<usage_record>& records,
    std::int64_t expected_events
);

struct api_answer
{
    unsigned status = 0;
    boost::json::value body;
};
api_answer
call(running_daemon& d, const std::string& method, const std::string& target, const std::string& body = {});

// The whole alert history, oldest first.
std::vector<boost::json::object> history(running_daemon& d);
// The notices of `rule` with `event`.
std::vector<boost::json::object>
notices(const std::vector<boost::json::object>& items, const std::string& rule, const std::string& event);

// Polls `done` every 100 ms until it holds or `timeout` passes; returns its last answer.
bool eventually(const std::function<bool()>& done, std::chrono::milliseconds timeout);

} // namespace cpamd::test
