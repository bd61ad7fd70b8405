#include "test_proxy.hpp"

#include <algorithm>
#include <array>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <mutex>

namespace cpamd::test
{

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using error_code = boost::system::error_code;

struct test_proxy::state
{
    asio::io_context ioc;
    tcp::acceptor acceptor{ioc};
    std::string user, password;
    mutable std::mutex mutex;
    bool stopping = false;
    std::vector<std::string> seen;
    std::vector<std::string> credentials;
    std::vector<std::thread> threads;

    void note(std::string line)
    {
        std::lock_guard lock(mutex);
        seen.push_back(std::move(line));
    }
};

namespace
{

using sock_ptr = std::shared_ptr<tcp::socket>;

// Copies both ways until either side closes.
void relay(const std::shared_ptr<test_proxy::state>& st, const sock_ptr& a, const sock_ptr& b)
{
    auto pump = [](const sock_ptr& from, const sock_ptr& to)
    {
        std::array<char, 16384> buf{};
        for (;;)
        {
            error_code ec;
            auto n = from->read_some(asio::buffer(buf), ec);
            if (ec || n == 0)
                break;
            asio::write(*to, asio::buffer(buf.data(), n), ec);
            if (ec)
                break;
        }
        error_code ignored;
        to->shutdown(tcp::socket::shutdown_send, ignored);
    };
    std::thread back([=] { pump(b, a); });
    pump(a, b);
    back.join();
    (void)st;
}

sock_ptr connect_to(asio::io_context& ioc, const std::string& host, const std::string& port)
{
    auto s = std::make_shared<tcp::socket>(ioc);
    tcp::resolver r(ioc);
    error_code ec;
    auto eps = r.resolve(host, port, ec);
    if (ec)
        return nullptr;
    asio::connect(*s, eps, ec);
    return ec ? nullptr : s;
}

std::string host_port(const std::string& authority, std::string& host)
{
    auto colon = authority.rfind(':');
    host = authority.substr(0, colon);
    if (!host.empty() && host.front() == '[')
        host = host.substr(1, host.size() - 2);
    return colon == std::string::npos ? "80" : authority.substr(colon + 1);
}

void reply_status(tcp::socket& s, unsigned status)
{
    bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(status), 11};
    res.set(bhttp::field::connection, "close");
    if (status == 407)
        res.set(bhttp::field::proxy_authenticate, "Basic realm=\"test\"");
    res.prepare_payload();
    error_code ec;
    bhttp::write(s, res, ec);
}

void serve_http(const std::shared_ptr<test_proxy::state>& st, const sock_ptr& client)
{
    boost::beast::flat_buffer buf;
    bhttp::request<bhttp::string_body> req;
    error_code ec;
    bhttp::read(*client, buf, req, ec);
    if (ec)
        return;
    std::string target(req.target());
    auto auth = std::string(req[bhttp::field::proxy_authorization]);
    {
        std::lock_guard lock(st->mutex);
        st->seen.push_back(
            std::string(req.method_string()) + " " + target +
            (req.method() == bhttp::verb::connect ? "" : " HTTP/1.1")
        );
        if (!auth.empty())
            st->credentials.push_back(auth);
    }
    if (!st->user.empty() && auth.empty())
        return reply_status(*client, 407);

    if (req.method() == bhttp::verb::connect)
    {
        std::string host;
        auto port = host_port(target, host);
        auto upstream = connect_to(st->ioc, host, port);
        if (!upstream)
            return reply_status(*client, 502);
        const std::string ok = "HTTP/1.1 200 Connection established\r\n\r\n";
        asio::write(*client, asio::buffer(ok), ec);
        return relay(st, client, upstream);
    }

    // Absolute-form: forward in origin-form and hand the answer back.
    const std::string scheme = "http://";
    if (target.rfind(scheme, 0) != 0)
        return reply_status(*client, 400);
    auto rest = target.substr(scheme.size());
    auto slash = rest.find('/');
    std::string host;
    auto port = host_port(rest.substr(0, slash), host);
    auto upstream = connect_to(st->ioc, host, port);
    if (!upstream)
        return reply_status(*client, 502);
    req.target(slash == std::string::npos ? "/" : rest.substr(slash));
    req.erase(bhttp::field::proxy_authorization);
    bhttp::write(*upstream, req, ec);
    boost::beast::flat_buffer ubuf;
    bhttp::response<bhttp::string_body> res;
    bhttp::read(*upstream, ubuf, res, ec);
    if (ec)
        return reply_status(*client, 502);
    bhttp::write(*client, res, ec);
}

void serve_socks(const std::shared_ptr<test_proxy::state>& st, const sock_ptr& client)
{
    error_code ec;
    std::array<std::uint8_t, 2> head{};
    asio::read(*client, asio::buffer(head), ec);
    std::vector<std::uint8_t> methods(head[1]);
    asio::read(*client, asio::buffer(methods), ec);
    if (ec)
        return;
    const std::uint8_t wanted = st->user.empty() ? 0x00 : 0x02;
    const bool offered = std::find(methods.begin(), methods.end(), wanted) != methods.end();
    std::array<std::uint8_t, 2> choice{0x05, offered ? wanted : std::uint8_t{0xff}};
    asio::write(*client, asio::buffer(choice), ec);
    if (!offered || ec)
        return;
    if (wanted == 0x02)
    {
        std::uint8_t ver = 0, len = 0;
        asio::read(*client, asio::buffer(&ver, 1), ec);
        asio::read(*client, asio::buffer(&len, 1), ec);
        std::string user(len, '\0');
        asio::read(*client, asio::buffer(user), ec);
        asio::read(*client, asio::buffer(&len, 1), ec);
        std::string pass(len, '\0');
        asio::read(*client, asio::buffer(pass), ec);
        const bool good = user == st->user && pass == st->password;
        {
            std::lock_guard lock(st->mutex);
            st->credentials.push_back("socks5 " + user + ":" + pass);
        }
        std::array<std::uint8_t, 2> status{0x01, std::uint8_t(good ? 0x00 : 0x01)};
        asio::write(*client, asio::buffer(status), ec);
        if (!good)
            return;
    }
    std::array<std::uint8_t, 4> req{};
    asio::read(*client, asio::buffer(req), ec);
    std::string host;
    std::string kind;
    if (req[3] == 0x01)
    {
        asio::ip::address_v4::bytes_type b{};
        asio::read(*client, asio::buffer(b), ec);
        host = asio::ip::address_v4(b).to_string();
    }
    else if (req[3] == 0x04)
    {
        asio::ip::address_v6::bytes_type b{};
        asio::read(*client, asio::buffer(b), ec);
        host = asio::ip::address_v6(b).to_string();
    }
    else
    {
        std::uint8_t len = 0;
        asio::read(*client, asio::buffer(&len, 1), ec);
        host.resize(len);
        asio::read(*client, asio::buffer(host), ec);
        kind = "name ";
    }
    std::array<std::uint8_t, 2> pb{};
    asio::read(*client, asio::buffer(pb), ec);
    if (ec)
        return;
    const auto port = std::to_string((pb[0] << 8) | pb[1]);
    st->note("SOCKS5 " + kind + host + ":" + port);
    auto upstream = connect_to(st->ioc, host, port);
    std::array<std::uint8_t, 10> answer{
        0x05, std::uint8_t(upstream ? 0x00 : 0x05), 0x00, 0x01, 0, 0, 0, 0, 0, 0};
    asio::write(*client, asio::buffer(answer), ec);
    if (upstream && !ec)
        relay(st, client, upstream);
}

} // namespace

test_proxy::test_proxy(std::string user, std::string password) : st_(std::make_shared<state>())
{
    st_->user = std::move(user);
    st_->password = std::move(password);
    tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), 0);
    st_->acceptor.open(ep.protocol());
    st_->acceptor.set_option(tcp::acceptor::reuse_address(true));
    st_->acceptor.bind(ep);
    st_->acceptor.listen();
    port_ = st_->acceptor.local_endpoint().port();
    acceptor_ = std::thread([this] { accept_loop(); });
}

test_proxy::~test_proxy()
{
    {
        std::lock_guard lock(st_->mutex);
        st_->stopping = true;
    }
    error_code ec;
    asio::io_context ioc;
    tcp::socket poke(ioc);
    poke.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_), ec);
    acceptor_.join();
    std::vector<std::thread> threads;
    {
        std::lock_guard lock(st_->mutex);
        threads.swap(st_->threads);
    }
    for (auto& t : threads)
        t.join();
}

std::vector<std::string> test_proxy::seen() const
{
    std::lock_guard lock(st_->mutex);
    return st_->seen;
}

std::vector<std::string> test_proxy::credentials() const
{
    std::lock_guard lock(st_->mutex);
    return st_->credentials;
}

void test_proxy::accept_loop()
{
    for (;;)
    {
        auto client = std::make_shared<tcp::socket>(st_->ioc);
        error_code ec;
        st_->acceptor.accept(*client, ec);
        std::lock_guard lock(st_->mutex);
        if (st_->stopping)
            return;
        if (ec)
            continue;
        auto st = st_;
        st_->threads.emplace_back(
            [st, client]
            {
                std::array<std::uint8_t, 1> first{};
                error_code pec;
                client->receive(asio::buffer(first), tcp::socket::message_peek, pec);
                if (pec)
                    return;
                if (first[0] == 0x05)
                    serve_socks(st, client);
                else
                    serve_http(st, client);
                error_code ignored;
                client->shutdown(tcp::socket::shutdown_both, ignored);
            }
        );
    }
}

} // namespace cpamd::test
