#include "sim_fixture.hpp"

#include <array>
#include <boost/asio/write.hpp>
#include <boost/json/parse.hpp>
#include <cpamd/resp/encode.hpp>
#include <cpamd/resp/parser.hpp>
#include <cstdio>
#include <fstream>
#include <poll.h>
#include <stdexcept>
#include <thread>

namespace cpamd::test
{

resp_conn::resp_conn(std::uint16_t port, int rcvbuf) : socket_(ioc_)
{
    socket_.open(boost::asio::ip::tcp::v4());
    if (rcvbuf > 0)
        socket_.set_option(boost::asio::socket_base::receive_buffer_size(rcvbuf));
    socket_.connect({boost::asio::ip::make_address("127.0.0.1"), port});
}

void resp_conn::send(const std::string& bytes)
{
    boost::asio::write(socket_, boost::asio::buffer(bytes));
}

void resp_conn::command(std::initializer_list<std::string_view> args)
{
    send(resp::encode_command(args));
}

namespace
{

// Reads what is available within the deadline. Returns false on EOF or timeout.
bool read_some(
    boost::asio::ip::tcp::socket& s, std::string& into, std::chrono::milliseconds timeout, bool& eof
)
{
    pollfd p{s.native_handle(), POLLIN, 0};
    eof = false;
    if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0)
        return false;
    std::array<char, 65536> buf{};
    boost::system::error_code ec;
    auto n = s.read_some(boost::asio::buffer(buf), ec);
    if (ec)
    {
        eof = true;
        return false;
    }
    into.append(buf.data(), n);
    return true;
}

} // namespace

std::optional<resp::value> resp_conn::read(std::chrono::milliseconds timeout)
{
    resp::parser p;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;)
    {
        std::string_view view(pending_);
        auto s = p.feed(view);
        if (s == resp::parser::status::done)
        {
            pending_.erase(0, pending_.size() - view.size());
            return p.take();
        }
        if (s == resp::parser::status::error)
            throw std::runtime_error("bad RESP from server");
        // Not complete: re-parse from the start next time with the extra bytes.
        p.reset();
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now()
        );
        bool eof = false;
        if (left.count() <= 0 || !read_some(socket_, pending_, left, eof))
            return std::nullopt;
    }
}

std::string resp_conn::read_bytes(std::size_t n, std::chrono::milliseconds timeout)
{
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (pending_.size() < n)
    {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now()
        );
        bool eof = false;
        if (left.count() <= 0 || !read_some(socket_, pending_, left, eof))
            break;
    }
    std::string out = pending_.substr(0, std::min(n, pending_.size()));
    pending_.erase(0, out.size());
    return out;
}

bool resp_conn::closed_by_peer(std::chrono::milliseconds timeout)
{
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;)
    {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now()
        );
        if (left.count() <= 0)
            return false;
        bool eof = false;
        std::string sink;
        if (!read_some(socket_, sink, left, eof))
            return eof;
    }
}

bool eventually(const std::function<bool()>& pred, std::chrono::milliseconds timeout)
{
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline)
    {
        if (pred())
            return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return pred();
}

std::string run_capture(const std::string& cmd)
{
    std::string out;
    std::FILE* f = ::popen((cmd + " 2>/dev/null").c_str(), "r");
    if (!f)
        throw std::runtime_error("popen failed");
    std::array<char, 4096> buf{};
    std::size_t n = 0;
    while ((n = std::fread(buf.data(), 1, buf.size(), f)) > 0)
        out.append(buf.data(), n);
    ::pclose(f);
    return out;
}

} // namespace cpamd::test
