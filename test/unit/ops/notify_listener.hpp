#pragma once

// The systemd side of sd_notify for tests: a real AF_UNIX datagram socket bound in a directory,
// whose path goes into NOTIFY_SOCKET. Header-only; shared by the unit and integration suites.

#include <chrono>
#include <cstring>
#include <filesystem>
#include <optional>
#include <poll.h>
#include <stdexcept>
#include <string>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace cpamd::test
{

class notify_listener
{
public:
    explicit notify_listener(std::filesystem::path path) : path_(std::move(path))
    {
        fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        const auto p = path_.string();
        if (fd_ < 0 || p.size() >= sizeof(addr.sun_path))
            throw std::runtime_error("notify_listener: cannot create socket " + p);
        std::memcpy(addr.sun_path, p.c_str(), p.size() + 1);
        if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0)
            throw std::runtime_error("notify_listener: cannot bind " + p);
    }
    ~notify_listener()
    {
        ::close(fd_);
        std::error_code ec;
        std::filesystem::remove(path_, ec);
    }
    notify_listener(const notify_listener&) = delete;
    notify_listener& operator=(const notify_listener&) = delete;

    const std::filesystem::path& path() const { return path_; }

    // The next datagram, or nullopt when none arrives within `timeout`.
    std::optional<std::string> receive(std::chrono::milliseconds timeout)
    {
        pollfd p{fd_, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0)
            return std::nullopt;
        char buf[4096];
        auto n = ::recv(fd_, buf, sizeof(buf), 0);
        if (n < 0)
            return std::nullopt;
        return std::string(buf, static_cast<std::size_t>(n));
    }

    // Receives until a datagram contains `text`; returns it, or nullopt at the deadline.
    std::optional<std::string> wait_for(const std::string& text, std::chrono::milliseconds timeout)
    {
        auto deadline = std::chrono::steady_clock::now() + timeout;
        for (;;)
        {
            auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now()
            );
            if (left.count() <= 0)
                return std::nullopt;
            auto m = receive(left);
            if (m && m->find(text) != std::string::npos)
                return m;
        }
    }

private:
    std::filesystem::path path_;
    int fd_ = -1;
};

} // namespace cpamd::test
