#include <cpamd/http/watchdog.hpp>

namespace cpamd::http
{

watchdog::watchdog(boost::asio::ip::tcp::socket& socket) : state_(std::make_shared<state>(socket)) {}

watchdog::~watchdog()
{
    state_->socket = nullptr;
    if (state_->armed)
        state_->timer.cancel();
}

void watchdog::expires_after(clock::duration d)
{
    auto& st = *state_;
    st.deadline = clock::now() + d;
    st.expired = false;
    if (!st.armed)
        arm(state_);
    else if (st.deadline < st.armed_for)
        st.timer.cancel(); // its handler arms again, for this deadline
}

void watchdog::expires_never()
{
    // The armed wait, if any, lapses on its own and is not renewed.
    state_->deadline = clock::time_point::max();
}

void watchdog::arm(const std::shared_ptr<state>& st)
{
    st->armed = true;
    st->armed_for = st->deadline;
    st->timer.expires_at(st->deadline);
    st->timer.async_wait([st](const boost::system::error_code&) { on_timer(st); });
}

void watchdog::on_timer(const std::shared_ptr<state>& st)
{
    st->armed = false;
    if (!st->socket || st->deadline == clock::time_point::max())
        return;
    if (clock::now() < st->deadline)
        return arm(st); // moved meanwhile
    st->expired = true;
    boost::system::error_code ignored;
    st->socket->cancel(ignored);
}

} // namespace cpamd::http
