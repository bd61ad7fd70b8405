#include <cerrno>
#include <charconv>
#include <cpamd/ops/sd_notify.hpp>
#include <cstdlib>
#include <cstring>
#include <string_view>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace cpamd::ops
{
namespace
{

std::optional<std::uint64_t> env_number(const char* name)
{
    const char* v = std::getenv(name);
    if (v == nullptr)
        return std::nullopt;
    std::string_view s(v);
    std::uint64_t n = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (s.empty() || ec != std::errc{} || end != s.data() + s.size())
        return std::nullopt;
    return n;
}

} // namespace

sd_notifier::sd_notifier(std::string socket_path, std::optional<std::chrono::microseconds> watchdog)
    : socket_path_(std::move(socket_path)), watchdog_(watchdog)
{
}

sd_notifier sd_notifier::from_environment()
{
    const char* path = std::getenv("NOTIFY_SOCKET");
    std::optional<std::chrono::microseconds> watchdog;
    // WATCHDOG_PID, when set, names the process the watchdog is meant for: a child that inherited
    // the environment must not feed it.
    auto usec = env_number("WATCHDOG_USEC");
    auto pid = env_number("WATCHDOG_PID");
    if (usec && *usec > 0 && (!pid || *pid == static_cast<std::uint64_t>(::getpid())))
        watchdog = std::chrono::microseconds(*usec);
    return sd_notifier(path ? path : "", watchdog);
}

bool sd_notifier::notify(std::string_view state) const
{
    if (socket_path_.empty())
        return false;
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (socket_path_.size() >= sizeof(addr.sun_path) || (socket_path_[0] != '/' && socket_path_[0] != '@'))
        return false;
    std::memcpy(addr.sun_path, socket_path_.data(), socket_path_.size());
    if (addr.sun_path[0] == '@')
        addr.sun_path[0] = '\0'; // abstract namespace
    auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + socket_path_.size());

    int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return false;
    ssize_t n =
        ::sendto(fd, state.data(), state.size(), MSG_NOSIGNAL, reinterpret_cast<sockaddr*>(&addr), len);
    ::close(fd);
    return n == static_cast<ssize_t>(state.size());
}

} // namespace cpamd::ops
