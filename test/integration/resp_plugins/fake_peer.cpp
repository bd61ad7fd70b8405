#include "fake_peer.hpp"

#include <array>
#include <boost/asio/write.hpp>
#include <poll.h>

namespace cpamd::test
{

namespace asio = boost::asio;
using asio::ip::tcp;

namespace
{

// Waits up to `ms` for the descriptor to become readable.
bool readable(int fd, int ms)
{
    pollfd p{fd, POLLIN, 0};
    return ::poll(&p, 1, ms) > 0;
}

} // namespace

peer_conn::peer_conn(tcp::socket s, fake_peer& owner) : socket_(std::move(s)), owner_(owner) {}

std::optional<resp::command> peer_conn::read(std::chrono::milliseconds timeout)
{
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;)
    {
        std::string_view in(pending_);
        resp::command cmd;
        auto st = reader_.feed(in, cmd);
        pending_.erase(0, pending_.size() - in.size());
        if (st == resp::command_status::done)
        {
            owner_.record(cmd);
            return cmd;
        }
        if (st == resp::command_status::error)
            return std::nullopt;
        while (!readable(socket_.native_handle(), 20))
            if (owner_.stopping() || std::chrono::steady_clock::now() > deadline)
                return std::nullopt;
        std::array<char, 4096> buf{};
        boost::system::error_code ec;
        auto n = socket_.read_some(asio::buffer(buf), ec);
        if (ec)
            return std::nullopt;
        pending_.append(buf.data(), n);
    }
}

void peer_conn::write(const std::string& bytes)
{
    boost::system::error_code ec;
    asio::write(socket_, asio::buffer(bytes), ec);
}

void peer_conn::hold(std::chrono::milliseconds timeout)
{
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!owner_.stopping() && std::chrono::steady_clock::now() < deadline)
    {
        if (!readable(socket_.native_handle(), 20))
            continue;
        std::array<char, 4096> buf{};
        boost::system::error_code ec;
        socket_.read_some(asio::buffer(buf), ec);
        if (ec)
            return;
    }
}

fake_peer::fake_peer(script s)
    : acceptor_(ioc_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)), script_(std::move(s))
{
    port_ = acceptor_.local_endpoint().port();
    thread_ = std::thread([this] { serve(); });
}

fake_peer::~fake_peer()
{
    stop_ = true;
    thread_.join();
}

void fake_peer::serve()
{
    while (!stop_)
    {
        if (!readable(acceptor_.native_handle(), 20))
            continue;
        boost::system::error_code ec;
        tcp::socket s(ioc_);
        acceptor_.accept(s, ec);
        if (ec)
            continue;
        ++connections_;
        peer_conn c(std::move(s), *this);
        script_(c);
    }
}

void fake_peer::record(const resp::command& c)
{
    std::string line;
    for (const auto& a : c)
        line += (line.empty() ? "" : " ") + a;
    std::lock_guard lock(mutex_);
    commands_.push_back(line);
}

std::vector<std::string> fake_peer::commands() const
{
    std::lock_guard lock(mutex_);
    return commands_;
}

} // namespace cpamd::test
