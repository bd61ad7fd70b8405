#include "proxy_tunnel.hpp"

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <cstdint>
#include <fmt/format.h>
#include <vector>

namespace cpamd::proxy::detail
{
namespace
{

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
constexpr auto use_nothrow = asio::as_tuple(asio::use_awaitable);

std::string why(const boost::system::error_code& ec)
{
    return ec == beast::error::timeout || ec == asio::error::operation_aborted ? std::string("timeout")
                                                                               : ec.message();
}

std::string base64(std::string_view in)
{
    static constexpr char table[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    std::uint32_t acc = 0;
    int bits = 0;
    for (unsigned char c : in)
    {
        acc = (acc << 8) | c;
        bits += 8;
        while (bits >= 6)
        {
            bits -= 6;
            out += table[(acc >> bits) & 0x3f];
        }
    }
    if (bits > 0)
        out += table[(acc << (6 - bits)) & 0x3f];
    while (out.size() % 4)
        out += '=';
    return out;
}

std::string_view socks_reply_text(std::uint8_t code)
{
    switch (code)
    {
    case 1:
        return "general SOCKS server failure";
    case 2:
        return "connection not allowed by ruleset";
    case 3:
        return "network unreachable";
    case 4:
        return "host unreachable";
    case 5:
        return "connection refused";
    case 6:
        return "TTL expired";
    case 7:
        return "command not supported";
    case 8:
        return "address type not supported";
    default:
        return "unknown SOCKS error";
    }
}

asio::awaitable<std::string>
send(beast::tcp_stream& s, const std::vector<std::uint8_t>& bytes, std::string_view step)
{
    auto [ec, n] = co_await asio::async_write(s, asio::buffer(bytes), use_nothrow);
    co_return ec ? fmt::format("{}: {}", step, why(ec)) : std::string();
}

asio::awaitable<std::string>
receive(beast::tcp_stream& s, std::uint8_t* into, std::size_t n, std::string_view step)
{
    auto [ec, got] = co_await asio::async_read(s, asio::buffer(into, n), use_nothrow);
    co_return ec ? fmt::format("{}: {}", step, why(ec)) : std::string();
}

// The address part of the CONNECT request: the name itself (socks5h, or any IP literal) or the
// first address it resolves to.
asio::awaitable<std::string>
socks_address(const http_url& target, const outbound_proxy& p, std::vector<std::uint8_t>& req)
{
    boost::system::error_code ec;
    auto ip = asio::ip::make_address(target.host, ec);
    if (ec && p.type == outbound_proxy::kind::socks5)
    {
        asio::ip::tcp::resolver resolver(co_await asio::this_coro::executor);
        auto [rec, results] = co_await resolver.async_resolve(target.host, target.port, use_nothrow);
        if (rec || results.empty())
            co_return fmt::format("resolve {}: {}", target.host, rec ? why(rec) : "no address");
        ip = results.begin()->endpoint().address();
        ec = {};
    }
    if (!ec && ip.is_v4())
    {
        req.push_back(0x01);
        auto b = ip.to_v4().to_bytes();
        req.insert(req.end(), b.begin(), b.end());
    }
    else if (!ec)
    {
        req.push_back(0x04);
        auto b = ip.to_v6().to_bytes();
        req.insert(req.end(), b.begin(), b.end());
    }
    else
    {
        if (target.host.size() > 255)
            co_return std::string("SOCKS5: host name longer than 255 bytes");
        req.push_back(0x03);
        req.push_back(static_cast<std::uint8_t>(target.host.size()));
        req.insert(req.end(), target.host.begin(), target.host.end());
    }
    co_return std::string();
}

} // namespace

std::string basic_credentials(const outbound_proxy& p)
{
    return "Basic " + base64(p.user + ":" + p.password);
}

asio::awaitable<std::string>
open_connect_tunnel(beast::tcp_stream& s, const http_url& target, const outbound_proxy& p)
{
    const bool v6 = target.host.find(':') != std::string::npos;
    const std::string authority = (v6 ? "[" + target.host + "]" : target.host) + ":" + target.port;
    bhttp::request<bhttp::empty_body> req{bhttp::verb::connect, authority, 11};
    req.set(bhttp::field::host, authority);
    req.set(bhttp::field::user_agent, "cpamd");
    if (!p.user.empty())
        req.set(bhttp::field::proxy_authorization, basic_credentials(p));
    auto [wec, wn] = co_await bhttp::async_write(s, req, use_nothrow);
    if (wec)
        co_return fmt::format("proxy CONNECT: write: {}", why(wec));
    beast::flat_buffer buffer;
    bhttp::response_parser<bhttp::empty_body> parser;
    parser.skip(true); // a 2xx answer to CONNECT has no body: the tunnel starts after the header
    auto [rec, rn] = co_await bhttp::async_read_header(s, buffer, parser, use_nothrow);
    if (rec)
        co_return fmt::format("proxy CONNECT: read response: {}", why(rec));
    const auto& res = parser.get();
    if (res.result_int() < 200 || res.result_int() >= 300)
        co_return fmt::format("proxy CONNECT: {} {}", res.result_int(), std::string_view(res.reason()));
    // The target speaks only after our TLS hello, so nothing may follow the proxy's header yet.
    if (buffer.size() != 0)
        co_return std::string("proxy CONNECT: unexpected bytes after the proxy's answer");
    co_return std::string();
}

asio::awaitable<std::string>
open_socks5_tunnel(beast::tcp_stream& s, const http_url& target, const outbound_proxy& p)
{
    const bool auth = !p.user.empty();
    std::vector<std::uint8_t> hello = auth ? std::vector<std::uint8_t>{0x05, 0x02, 0x00, 0x02}
                                           : std::vector<std::uint8_t>{0x05, 0x01, 0x00};
    if (auto e = co_await send(s, hello, "SOCKS5 greeting"); !e.empty())
        co_return e;
    std::array<std::uint8_t, 2> choice{};
    if (auto e = co_await receive(s, choice.data(), 2, "SOCKS5 greeting"); !e.empty())
        co_return e;
    if (choice[0] != 0x05)
        co_return std::string("SOCKS5: the proxy does not speak SOCKS version 5");
    if (choice[1] == 0x02 && auth)
    {
        if (p.user.size() > 255 || p.password.size() > 255)
            co_return std::string("SOCKS5: user name or password longer than 255 bytes");
        std::vector<std::uint8_t> login{0x01, static_cast<std::uint8_t>(p.user.size())};
        login.insert(login.end(), p.user.begin(), p.user.end());
        login.push_back(static_cast<std::uint8_t>(p.password.size()));
        login.insert(login.end(), p.password.begin(), p.password.end());
        if (auto e = co_await send(s, login, "SOCKS5 authentication"); !e.empty())
            co_return e;
        std::array<std::uint8_t, 2> status{};
        if (auto e = co_await receive(s, status.data(), 2, "SOCKS5 authentication"); !e.empty())
            co_return e;
        if (status[1] != 0x00)
            co_return std::string("SOCKS5: the proxy rejected the user name or password");
    }
    else if (choice[1] != 0x00)
        co_return std::string("SOCKS5: no acceptable authentication method");

    std::vector<std::uint8_t> req{0x05, 0x01, 0x00};
    if (auto e = co_await socks_address(target, p, req); !e.empty())
        co_return e;
    const auto port = static_cast<std::uint16_t>(std::stoul(target.port));
    req.push_back(static_cast<std::uint8_t>(port >> 8));
    req.push_back(static_cast<std::uint8_t>(port & 0xff));
    if (auto e = co_await send(s, req, "SOCKS5 connect"); !e.empty())
        co_return e;

    std::array<std::uint8_t, 5> head{}; // VER REP RSV ATYP and the first address byte
    if (auto e = co_await receive(s, head.data(), head.size(), "SOCKS5 connect"); !e.empty())
        co_return e;
    if (head[0] != 0x05)
        co_return std::string("SOCKS5: malformed reply");
    if (head[1] != 0x00)
        co_return fmt::format("SOCKS5 connect: {}", socks_reply_text(head[1]));
    // The bound address (which we do not need) and port: the rest of the reply.
    std::size_t rest = head[3] == 0x01   ? 3 + 2
                       : head[3] == 0x04 ? 15 + 2
                       : head[3] == 0x03 ? head[4] + 2u
                                         : 0;
    if (rest == 0)
        co_return std::string("SOCKS5: malformed reply");
    std::vector<std::uint8_t> tail(rest);
    co_return co_await receive(s, tail.data(), tail.size(), "SOCKS5 connect");
}

} // namespace cpamd::proxy::detail
