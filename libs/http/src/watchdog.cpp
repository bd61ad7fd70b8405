#include <cpamd/http/watchdog.hpp>
#include <utility>

namespace cpamd::http
{

watchdog::watchdog(boost::asio::ip::tcp::socket& socket) : state_(std::make_shared<state>(socket)) {}

watchdog::~watchdog()
{
    state_->socket = nullptr;
    state_->on_other_expire = nullptr;
    state_->on_checkpoint = nullptr;
    if (state_->armed)
        state_->timer.cancel();
}

void watchdog::set_deadline(clock::duration d, bool other)
{
    state_->deadline = clock::now() + d;
    state_->deadline_is_other = other;
    state_->expired = false;
    wake_by(state_);
}

void watchdog::expires_after(clock::duration d)
{
    set_deadline(d, false);
}

void watchdog::other_expires_after(clock::duration d)
{
    set_deadline(d, true);
}

void watchdog::on_other_expire(std::function<void()> f)
{
    state_->on_other_expire = std::move(f);
}

void watchdog::expires_never()
{
    // The armed wait, if any, lapses on its own and is not renewed for this.
    state_->deadline = clock::time_point::max();
}

void watchdog::checkpoint_after(clock::duration d, std::function<void()> f)
{
    state_->checkpoint = clock::now() + d;
    state_->on_checkpoint = std::move(f);
    wake_by(state_);
}

void watchdog::stop_checkpoint()
{
    state_->checkpoint = clock::time_point::max();
    state_->on_checkpoint = nullptr;
}

void watchdog::wake_by(const std::shared_ptr<state>& st)
{
    if (!st->armed)
        arm(st);
    else if (st->next_wake() < st->armed_for)
        st->timer.cancel(); // its handler arms again, for the earlier time
}

void watchdog::arm(const std::shared_ptr<state>& st)
{
    const auto wake = st->next_wake();
    if (wake == clock::time_point::max())
        return;
    st->armed = true;
    st->armed_for = wake;
    st->timer.expires_at(wake);
    st->timer.async_wait([st](const boost::system::error_code&) { on_timer(st); });
}

void watchdog::on_timer(const std::shared_ptr<state>& st)
{
    st->armed = false;
    if (!st->socket)
        return;
    const auto now = clock::now();
    if (now >= st->checkpoint)
    {
        st->checkpoint = clock::time_point::max();
        if (auto f = std::exchange(st->on_checkpoint, nullptr))
            f();
        if (!st->socket)
            return;
    }
    if (now >= st->deadline)
    {
        st->deadline = clock::time_point::max();
        st->expired = true;
        if (st->deadline_is_other)
        {
            if (st->on_other_expire)
                st->on_other_expire();
        }
        else
        {
            boost::system::error_code ignored;
            st->socket->cancel(ignored);
        }
    }
    arm(st); // for what is still ahead, if anything
}

} // namespace cpamd::http
