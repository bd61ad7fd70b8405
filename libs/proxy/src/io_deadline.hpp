#pragma once

// Internal: a moving deadline for a chain of I/O operations. Each operation first pushes the
// deadline out (expires_after); if it passes, `on_expire` runs (it cancels the socket or the
// resolver), so the pending operation ends with operation_aborted and fired() says why.
// One timer wait is outstanding at a time however often the deadline moves. Everything runs
// on the executor given (the request's strand), so no locking is needed.
//
// The same timer also serves one checkpoint: a callback due at a given time, unless stopped
// first. A second timer for it would cost a timer set up, armed and cancelled per request, and
// with several threads each cancelled wait is a posted handler that may wake another thread.

#include <algorithm>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
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

    // Runs `f` once, `d` from now, unless stop() comes first. Set it before the first
    // expires_after(): an armed wait is only ever moved later, never earlier.
    void checkpoint_after(std::chrono::steady_clock::duration d, std::function<void()> f)
    {
        state_->checkpoint = std::chrono::steady_clock::now() + d;
        state_->on_checkpoint = std::move(f);
    }

    // No deadline and no checkpoint until the next expires_after() / checkpoint_after().
    void stop()
    {
        state_->stopped = true;
        state_->checkpoint.reset();
        state_->on_checkpoint = nullptr;
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
        std::optional<std::chrono::steady_clock::time_point> checkpoint;
        std::function<void()> on_checkpoint;
        bool armed = false;
        bool stopped = false;
        bool fired = false;
    };

    static void arm(const std::shared_ptr<state>& st)
    {
        st->armed = true;
        st->timer.expires_at(st->checkpoint ? std::min(*st->checkpoint, st->deadline) : st->deadline);
        st->timer.async_wait(
            [st](const boost::system::error_code&)
            {
                st->armed = false;
                if (st->stopped)
                    return;
                const auto now = std::chrono::steady_clock::now();
                if (st->checkpoint && now >= *st->checkpoint)
                {
                    st->checkpoint.reset();
                    if (auto f = std::exchange(st->on_checkpoint, nullptr))
                        f();
                    if (st->stopped)
                        return;
                }
                if (now < st->deadline)
                    return arm(st); // moved out meanwhile, or the checkpoint came first
                st->fired = true;
                if (st->on_expire)
                    st->on_expire();
            }
        );
    }

    std::shared_ptr<state> state_;
};

} // namespace cpamd::proxy::detail
