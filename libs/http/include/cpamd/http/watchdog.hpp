#pragma once

// A connection's moving deadline. Each operation first pushes the deadline out; if it passes while
// the operation is pending, the operation is cut and expired() says so. For operations on the
// client socket (expires_after) its pending operations are cancelled (they end with
// operation_aborted); for a wait elsewhere (other_expires_after: the proxy waiting on CPA) the
// action set with on_other_expire() runs instead.
//
// Beast's tcp_stream arms a timer around every operation and cancels it after, which profiles of
// the proxy showed as a tenth of its instructions per request. Here one timer wait is outstanding
// at most: moving the deadline later costs a clock read, and a wait that ends before the deadline
// now in force is simply armed again. Only a deadline earlier than the armed wait (a header
// timeout after the idle one) re-arms at once.
//
// The same wait serves one checkpoint: a callback due at a given time unless stopped first (the
// proxy starts watching for a client hang-up once a request has taken 100 ms). Requests that end
// sooner leave the wait alone; on a busy connection it wakes about once per checkpoint interval.
//
// A deadline is for the operations that follow it, so a caller that waits on something else sets
// the deadline for that wait (or expires_never): a stale client deadline must not cut a wait on the
// socket that nobody timed (the proxy's hang-up watch).
//
// Runs on the connection's executor (its strand); not thread-safe.

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
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

    // The client socket's operations that follow must be done within `d`.
    void expires_after(clock::duration d);
    // A wait elsewhere must end within `d`; if not, the on_other_expire() action runs.
    void other_expires_after(clock::duration d);
    void on_other_expire(std::function<void()> f);
    // No deadline until the next expires_after() / other_expires_after().
    void expires_never();
    // True when the last deadline passed and cut what it timed.
    bool expired() const { return state_->expired; }

    // Runs `f` once, `d` from now, unless stop_checkpoint() comes first.
    void checkpoint_after(clock::duration d, std::function<void()> f);
    void stop_checkpoint();

private:
    struct state
    {
        explicit state(boost::asio::ip::tcp::socket& s) : timer(s.get_executor()), socket(&s) {}
        boost::asio::steady_timer timer;
        boost::asio::ip::tcp::socket* socket; // null once the watchdog is gone
        clock::time_point deadline = clock::time_point::max();
        bool deadline_is_other = false; // the deadline times a wait elsewhere
        std::function<void()> on_other_expire;
        clock::time_point checkpoint = clock::time_point::max();
        std::function<void()> on_checkpoint;
        clock::time_point armed_for = clock::time_point::max();
        bool armed = false;
        bool expired = false;

        clock::time_point next_wake() const { return std::min(deadline, checkpoint); }
    };
    void set_deadline(clock::duration d, bool other);
    static void wake_by(const std::shared_ptr<state>& st);
    static void arm(const std::shared_ptr<state>& st);
    static void on_timer(const std::shared_ptr<state>& st);

    std::shared_ptr<state> state_;
};

} // namespace cpamd::http
