#pragma once

// Feeds systemd's watchdog from the event loop itself: WATCHDOG=1 at half the period systemd
// asked for, from a timer on the io_context. A wedged loop stops the pings, and systemd restarts
// the service (WatchdogSec= in packaging/systemd/cpamd.service).

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cpamd/ops/sd_notify.hpp>

namespace cpamd::ops
{

// Sends WATCHDOG=1 at once, then every `period / 2`, until the io_context stops. `notifier` must
// outlive the coroutine.
boost::asio::awaitable<void> feed_watchdog(const sd_notifier& notifier, std::chrono::microseconds period);

} // namespace cpamd::ops
