#include "one_shot.hpp"

#include "net_names.hpp"
#include "proxy_tunnel.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <fmt/format.h>
#include <openssl/ssl.h>

namespace cpamd::proxy::detail
{
namespace
{

using namespace asio::experimental::awaitable_operators;
using clock = std::chrono::steady_clock;

struct exchange_state
{
    one_shot_request in;
    bhttp::request<bhttp::string_body> req;
};

fetch_result failure(const exchange_state& st, std::string_view why)
{
    return {std::nullopt, fmt::format("{}: {}", st.in.what, why)};
}

fetch_result failure(const exchange_state& st, std::string_view step, const boost::system::error_code& ec)
{
    if (ec == beast::error::timeout || ec == asio::error::operation_aborted)
        return failure(st, fmt::format("{}: timeout", step));
    if (ec == bhttp::error::body_limit && st.in.name_body_limit)
        return failure(st, fmt::format("{}: body larger than {} bytes", step, st.in.body_limit));
    return failure(st, fmt::format("{}: {}", step, ec.message()));
}

bool through_http_proxy(const one_shot_request& in)
{
    return in.proxy && in.proxy->type == outbound_proxy::kind::http;
}

// Moves the body out of `in`.
bhttp::request<bhttp::string_body> build_request(one_shot_request& in)
{
    const bool relayed = through_http_proxy(in) && !in.url.tls;
    // Through an HTTP proxy a plain-http request names the whole URL (absolute-form, RFC 9112 §3.2.2).
    std::string target = relayed ? "http://" + in.url.host_header + in.url.target : in.url.target;
    bhttp::request<bhttp::string_body> req{in.method, target, 11};
    req.set(bhttp::field::host, in.url.host_header);
    req.set(bhttp::field::user_agent, "cpamd");
    req.set(bhttp::field::accept, "application/json");
    for (const auto& [name, value] : in.headers)
        req.set(name, value);
    for (const auto& [name, value] : in.named_headers)
        req.set(name, value);
    if (relayed && !in.proxy->user.empty())
        req.set(bhttp::field::proxy_authorization, basic_credentials(*in.proxy));
    if (!in.body.empty())
    {
        req.set(bhttp::field::content_type, in.content_type);
        req.body() = std::move(in.body);
    }
    req.prepare_payload(); // Content-Length for a body (or a PUT/POST without one), else nothing
    return req;
}

template <class Stream>
asio::awaitable<fetch_result> exchange(Stream& stream, exchange_state& st)
{
    auto [wec, wn] = co_await bhttp::async_write(stream, st.req, use_nothrow);
    if (wec)
        co_return failure(st, "write", wec);
    beast::flat_buffer buffer;
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(st.in.body_limit);
    auto [rec, rn] = co_await bhttp::async_read(stream, buffer, parser, use_nothrow);
    if (rec)
        co_return failure(st, "read response", rec);
    auto res = parser.release();
    fetch_response out;
    out.status = res.result_int();
    std::string_view reason = res.reason();
    if (reason.empty())
        reason = bhttp::obsolete_reason(res.result());
    out.reason = fmt::format("{} {}", out.status, reason);
    out.body = std::move(res.body());
    co_return fetch_result{std::move(out), {}};
}

bool is_ip_literal(const std::string& host)
{
    boost::system::error_code ec;
    asio::ip::make_address(host, ec);
    return !ec;
}

asio::awaitable<fetch_result> over_tls(beast::tcp_stream tcp, exchange_state& st, clock::time_point deadline)
{
    const bool verify = !st.in.tls_skip_verify;
    const std::string& host = st.in.url.host;
    ssl::context ctx(ssl::context::tls_client);
    ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3);
    if (verify)
    {
        ctx.set_default_verify_paths();
        ctx.set_verify_mode(ssl::verify_peer);
    }
    else
        ctx.set_verify_mode(ssl::verify_none);
    beast::ssl_stream<beast::tcp_stream> stream(std::move(tcp), ctx);
    // SNI only carries names, never IP literals (RFC 6066).
    if (!is_ip_literal(host))
        SSL_set_tlsext_host_name(stream.native_handle(), host.c_str());
    if (verify)
        stream.set_verify_callback(ssl::host_name_verification(host));
    beast::get_lowest_layer(stream).expires_at(deadline);
    auto [hec] = co_await stream.async_handshake(ssl::stream_base::client, use_nothrow);
    if (hec)
        co_return failure(st, "TLS handshake", hec);
    auto result = co_await exchange(stream, st);
    // The whole response is in: a peer that skips close_notify changes nothing.
    beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(2));
    co_await stream.async_shutdown(use_nothrow);
    co_return result;
}

} // namespace

asio::awaitable<fetch_result> one_shot(one_shot_request request)
{
    exchange_state st{std::move(request), {}};
    st.req = build_request(st.in);
    const http_url& url = st.in.url;
    const auto* proxy = st.in.proxy ? &*st.in.proxy : nullptr;
    const bool http_proxy = through_http_proxy(st.in);

    auto ex = co_await asio::this_coro::executor;
    const auto deadline = clock::now() + st.in.timeout;
    const std::string& host = proxy ? proxy->host : url.host;
    const std::string& port = proxy ? proxy->port : url.port;
    const std::string_view peer = proxy ? "proxy " : "";

    // The resolver does not honour the stream's timer: race it against one.
    asio::ip::tcp::resolver resolver(ex);
    asio::steady_timer timer(ex);
    timer.expires_at(deadline);
    auto resolved =
        co_await (resolver.async_resolve(host, port, use_nothrow) || timer.async_wait(use_nothrow));
    if (resolved.index() == 1)
        co_return failure(st, fmt::format("resolve {}{}: timeout", peer, host));
    auto [rec, endpoints] = std::get<0>(std::move(resolved));
    if (rec)
        co_return failure(st, fmt::format("resolve {}{}", peer, host), rec);

    beast::tcp_stream tcp(ex);
    tcp.expires_at(deadline);
    auto [cec, ep] = co_await tcp.async_connect(endpoints, use_nothrow);
    if (cec)
        co_return failure(
            st, proxy || st.in.name_connect_host ? fmt::format("connect {}{}", peer, host) : "connect", cec
        );

    std::string tunnel_error;
    if (proxy && !http_proxy)
        tunnel_error = co_await open_socks5_tunnel(tcp, url, *proxy);
    else if (http_proxy && url.tls)
        tunnel_error = co_await open_connect_tunnel(tcp, url, *proxy);
    if (!tunnel_error.empty())
        co_return failure(st, tunnel_error);

    if (url.tls)
        co_return co_await over_tls(std::move(tcp), st, deadline);
    auto result = co_await exchange(tcp, st);
    boost::system::error_code ignored;
    tcp.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    co_return result;
}

} // namespace cpamd::proxy::detail
