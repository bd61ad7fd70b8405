#pragma once

// One live `SUBSCRIBE <queue>` session on an authenticated connection. Three parts share the strand:
//  * the receiver reads the socket continuously and queues each message payload, so a slow sink never
//    stops the reading (CPA drops a subscriber whose 256-message buffer fills, spec §4);
//  * the deliverer hands everything queued so far to the sink in one deliver() call, and never waits
//    for more before doing so;
//  * the keepalive sends PING after `idle` without a byte from the server and declares the peer dead
//    when nothing at all arrives within `pong_timeout` (CPA pongs with a nil payload, Redis with "");
//  * the closer, on request_close(), sends UNSUBSCRIBE and keeps reading until the server's reply
//    (CPA then closes; Redis does not): CPA writes what it still buffered for us before its reply, so
//    an orderly close loses none of it. After min(request_timeout, 2 s) the connection is dropped.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cpamd/collector_api/collector.hpp>
#include <cpamd/collectors/resp_connection.hpp>
#include <cstddef>
#include <deque>
#include <optional>
#include <string>

namespace cpamd::collectors
{

struct subscribe_options
{
    std::chrono::milliseconds idle{std::chrono::seconds(30)}; // quiet time before a PING
    std::chrono::milliseconds pong_timeout{0};                // 0: settings.request_timeout
    // Received but not yet delivered. Above it the receiver stops reading until the sink catches up,
    // and CPA may then drop the subscriber: a sink that slow loses data whatever we do. It bounds the
    // plugin's memory whatever CPA publishes (one message is at most 16 MiB: reply_limits()).
    std::size_t max_pending_bytes = 64u << 20;
};

class subscription
{
public:
    // `conn` is open and authenticated; everything must outlive run().
    subscription(
        resp_connection& conn,
        const collector_api::collector_settings& settings,
        collector_api::IEventSink& sink,
        subscribe_options options,
        boost::asio::any_io_executor ex
    );

    // Subscribes, calls sink.subscribed() once CPA confirmed, then delivers until the subscription
    // ends. Returns unsupported / auth_failed / io_error when SUBSCRIBE is refused or unanswered, lost
    // when the server closed or went silent (overflow, restart, dead peer), cancelled after
    // resp_connection::cancel(), io_error when the sink threw. Messages received before the end are
    // still delivered first.
    boost::asio::awaitable<collector_api::outcome> run();

    // On the connection's strand: ends the subscription as cancelled, gracefully once it is confirmed.
    void request_close();

private:
    boost::asio::awaitable<void> read_side();
    boost::asio::awaitable<void> receive();
    boost::asio::awaitable<void> keepalive();
    boost::asio::awaitable<void> deliver_loop();
    boost::asio::awaitable<void> closer();
    // One command at a time on the connection (PING, UNSUBSCRIBE).
    boost::asio::awaitable<collector_api::outcome>
    send_one(std::string command, std::chrono::milliseconds timeout);
    void end(collector_api::outcome o); // the first reason wins
    void on_frame(resp::value v);

    resp_connection& conn_;
    const collector_api::collector_settings& settings_;
    collector_api::IEventSink& sink_;
    subscribe_options options_;
    boost::asio::steady_timer wake_;  // cancelled when pending_ grows or the read side ended
    boost::asio::steady_timer space_; // cancelled when the deliverer took pending_
    boost::asio::steady_timer close_; // cancelled by request_close() and when the read side ended
    std::deque<std::string> pending_;
    std::size_t pending_bytes_ = 0;
    bool read_done_ = false;
    bool live_ = false; // confirmed: a close is then an UNSUBSCRIBE
    bool close_requested_ = false;
    bool writing_ = false;
    std::optional<collector_api::outcome> end_;
    std::optional<std::string> sink_error_;
    std::uint32_t delivered_ = 0;
};

} // namespace cpamd::collectors
