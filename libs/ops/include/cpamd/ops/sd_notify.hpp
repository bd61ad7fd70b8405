#pragma once

// The systemd notify protocol (sd_notify(3)) without libsystemd: one datagram of
// "KEY=VALUE\n..." lines to the AF_UNIX socket named by $NOTIFY_SOCKET ("@name" is an abstract
// socket). Outside systemd (no NOTIFY_SOCKET) every call is a no-op that reports false.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace cpamd::ops
{

class sd_notifier
{
public:
    // Reads NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID from the environment.
    static sd_notifier from_environment();
    // For tests: an explicit socket path ("" disables) and watchdog period.
    sd_notifier(std::string socket_path, std::optional<std::chrono::microseconds> watchdog);

    bool enabled() const { return !socket_path_.empty(); }

    // Sends `state` (e.g. "READY=1\nSTATUS=serving"). Returns false when disabled or the send
    // failed; never throws, since a missing supervisor must not stop the daemon.
    bool notify(std::string_view state) const;

    // The period systemd expects WATCHDOG=1 within, when it asked for one for this process.
    std::optional<std::chrono::microseconds> watchdog_period() const { return watchdog_; }

private:
    std::string socket_path_;
    std::optional<std::chrono::microseconds> watchdog_;
};

} // namespace cpamd::ops
