#pragma once

// Delivering one notice to one sink: the request each kind expects (a JSON webhook, a Slack
// incoming webhook, Telegram's sendMessage, an ntfy topic, an e-mail), retried with a doubling
// pause after a failure, each attempt within the timeout. Runs on the caller's executor; error
// texts never carry a secret (secret URLs are shown masked).

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cpamd/alerts/alert_config.hpp>
#include <cpamd/alerts/alert_tracker.hpp>
#include <string>

namespace cpamd::alerts
{

struct delivery_settings
{
    std::chrono::milliseconds timeout{std::chrono::seconds(10)};
    int retries = 3;                                                // attempts after the first
    std::chrono::milliseconds first_pause{std::chrono::seconds(1)}; // then 2x each time, at most 60 s
};

struct delivery_result
{
    std::string sink;
    bool ok = false;
    int attempts = 0;
    std::string error; // the last attempt's
};

boost::asio::awaitable<delivery_result> deliver(sink to, notice n, delivery_settings settings);

// The text of a notice: a title line ("[cpamd] FIRING failures: all") and the message.
std::string notice_title(const notice& n);
std::string notice_body(const notice& n);

} // namespace cpamd::alerts
