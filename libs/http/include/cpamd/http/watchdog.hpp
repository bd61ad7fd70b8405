#pragma once

// A connection's moving deadline for its client socket. Each operation on the socket first
// pushes the deadline out (expires_after); if it passes while an operation is pending, the
// socket's operations are cancelled (they end with operation_aborted) and expired() says so.
//
// Beast's tcp_stream arms a timer around every operation and cancels it after, which profiles of
// the proxy showed as a tenth of its instructions per request. Here one timer wait is outstanding
// at most: moving the deadline later costs a clock read, and a wait that ends before the deadline
// now in force is simply armed again. Only a deadline earlier than the armed wait (a header
// timeout after the idle one) re-arms at once.
//
// A deadline is for the operations on this socket that follow it. Before waiting on anything
// else (CPA), the caller suspends it with expires_never(), so a stale deadline cannot cut a wait
// on the socket that nobody timed (the proxy's hang-up watch).
//
// Runs on the connection's executor (its strand); not thread-safe.

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <memory>

namespace cpamd::http
{

class watchdog
{
public:
    using clock = std::chrono::steady_clock;

    explicit watchdog(boost::asio::ip::tcp::socket& socket);
    ~watchdog();
    watchdog(const watchdog&) = delete;
    watchdog& operator=(const watchdog&) = delete;

    // The operations that follow must be done within `d`.
    void expires_after(clock::duration d);
    // No deadline until the next expires_after().
    void expires_never();
    // True when the last deadline passed and cut the socket's operations.
    bool expired() const { return state_->expired; }

private:
    struct state
    {
        explicit state(boost::asio::ip::tcp::socket& s) : timer(s.get_executor()), socket(&s) {}
        boost::asio::steady_timer timer;
        boost::asio::ip::tcp::socket* socket; // null once the watchdog is gone
        clock::time_point deadline = clock::time_point::max();
        clock::time_point armed_for = clock::time_point::max();
        bool armed = false;
        bool expired = false;
    };
    static void arm(const std::shared_ptr<state>& st);
    static void on_timer(const std::shared_ptr<state>& st);

    std::shared_ptr<state> state_;
};

} // namespace cpamd::http
