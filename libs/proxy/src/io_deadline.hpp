#pragma once

// Internal: a moving deadline for the steps of opening a connection to CPA (resolve, connect,
// TLS handshake). Each step first sets the deadline (expires_after); if it passes, `on_expire`
// runs (it cancels the socket or the resolver), so the pending operation ends with
// operation_aborted and fired() says why. One timer wait is outstanding at a time however often
// the deadline moves. Everything runs on the executor given (the request's strand), so no locking
// is needed. An exchange on an open connection is timed by the client connection's
// http::watchdog instead.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <utility>

namespace cpamd::proxy::detail
{

class io_deadline
{
public:
    explicit io_deadline(const boost::asio::any_io_executor& ex) : state_(std::make_shared<state>(ex)) {}
    ~io_deadline() { stop(); }
    io_deadline(const io_deadline&) = delete;
    io_deadline& operator=(const io_deadline&) = delete;

    void on_expire(std::function<void()> f) { state_->on_expire = std::move(f); }

    void expires_after(std::chrono::steady_clock::duration d)
    {
        state_->deadline = std::chrono::steady_clock::now() + d;
        state_->stopped = false;
        if (!state_->armed)
            arm(state_);
    }

    // No deadline until the next expires_after().
    void stop()
    {
        state_->stopped = true;
        if (state_->armed)
            state_->timer.cancel();
    }

    bool fired() const { return state_->fired; }

private:
    struct state
    {
        explicit state(const boost::asio::any_io_executor& ex) : timer(ex) {}
        boost::asio::steady_timer timer;
        std::chrono::steady_clock::time_point deadline;
        std::function<void()> on_expire;
        bool armed = false;
        bool stopped = false;
        bool fired = false;
    };

    static void arm(const std::shared_ptr<state>& st)
    {
        st->armed = true;
        st->timer.expires_at(st->deadline);
        st->timer.async_wait(
            [st](const boost::system::error_code&)
            {
                st->armed = false;
                if (st->stopped)
                    return;
                if (std::chrono::steady_clock::now() < st->deadline)
                    return arm(st); // moved out meanwhile
                st->fired = true;
                if (st->on_expire)
                    st->on_expire();
            }
        );
    }

    std::shared_ptr<state> state_;
};

} // namespace cpamd::proxy::detail
