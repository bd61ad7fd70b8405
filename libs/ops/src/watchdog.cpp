#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cpamd/ops/watchdog.hpp>

namespace cpamd::ops
{

namespace asio = boost::asio;

asio::awaitable<void> feed_watchdog(const sd_notifier& notifier, std::chrono::microseconds period)
{
    asio::steady_timer timer(co_await asio::this_coro::executor);
    const auto half = std::max(period / 2, std::chrono::microseconds(1000));
    for (;;)
    {
        notifier.notify("WATCHDOG=1");
        timer.expires_after(half);
        auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
        if (ec)
            co_return; // cancelled: shutting down
    }
}

} // namespace cpamd::ops
