#include "proxy_tunnel.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <cpamd/proxy/url_fetch.hpp>
#include <fmt/format.h>
#include <openssl/ssl.h>

namespace cpamd::proxy
{
namespace
{

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace ssl = asio::ssl;
using namespace asio::experimental::awaitable_operators;
using clock = std::chrono::steady_clock;

constexpr auto use_nothrow = asio::as_tuple(asio::use_awaitable);

struct fetch_state
{
    std::string what; // "GET <url>", the prefix of every error
    std::uint64_t body_limit = 0;
    bhttp::request<bhttp::empty_body> req;
};

fetch_result failure(const fetch_state& st, std::string_view step, const boost::system::error_code& ec)
{
    std::string why =
        ec == beast::error::timeout || ec == asio::error::operation_aborted ? std::string("timeout")
        : ec == bhttp::error::body_limit ? fmt::format("body larger than {} bytes", st.body_limit)
                                         : ec.message();
    return {std::nullopt, fmt::format("{}: {}: {}", st.what, step, why)};
}

fetch_result failure(const fetch_state& st, std::string_view why)
{
    return {std::nullopt, fmt::format("{}: {}", st.what, why)};
}

template <class Stream>
asio::awaitable<fetch_result> exchange(Stream& stream, fetch_state& st)
{
    auto [wec, wn] = co_await bhttp::async_write(stream, st.req, use_nothrow);
    if (wec)
        co_return failure(st, "write", wec);
    beast::flat_buffer buffer;
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(st.body_limit);
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

asio::awaitable<fetch_result>
over_tls(beast::tcp_stream tcp, const http_url& url, fetch_state& st, clock::time_point deadline)
{
    ssl::context ctx(ssl::context::tls_client);
    ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3);
    ctx.set_default_verify_paths();
    ctx.set_verify_mode(ssl::verify_peer);
    beast::ssl_stream<beast::tcp_stream> stream(std::move(tcp), ctx);
    // SNI only carries names, never IP literals (RFC 6066).
    if (!is_ip_literal(url.host))
        SSL_set_tlsext_host_name(stream.native_handle(), url.host.c_str());
    stream.set_verify_callback(ssl::host_name_verification(url.host));
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

asio::awaitable<fetch_result> fetch_url(fetch_request request)
{
    fetch_state st;
    st.what = "GET " + request.url;
    st.body_limit = request.body_limit;
    auto url = parse_http_url(request.url);
    if (!url)
        co_return failure(st, "not an http(s) URL");
    const auto* proxy = request.proxy ? &*request.proxy : nullptr;
    const bool http_proxy = proxy && proxy->type == outbound_proxy::kind::http;

    // Through an HTTP proxy a plain-http request names the whole URL (absolute-form, RFC 9112 §3.2.2).
    std::string target = http_proxy && !url->tls ? "http://" + url->host_header + url->target : url->target;
    st.req = bhttp::request<bhttp::empty_body>{bhttp::verb::get, target, 11};
    st.req.set(bhttp::field::host, url->host_header);
    st.req.set(bhttp::field::user_agent, "cpamd");
    st.req.set(bhttp::field::accept, "application/json");
    st.req.set(bhttp::field::connection, "close");
    if (http_proxy && !url->tls && !proxy->user.empty())
        st.req.set(bhttp::field::proxy_authorization, detail::basic_credentials(*proxy));

    auto ex = co_await asio::this_coro::executor;
    const auto deadline = clock::now() + request.timeout;
    const std::string& host = proxy ? proxy->host : url->host;
    const std::string& port = proxy ? proxy->port : url->port;
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
        co_return failure(st, fmt::format("connect {}{}", peer, host), cec);

    std::string tunnel_error;
    if (proxy && !http_proxy)
        tunnel_error = co_await detail::open_socks5_tunnel(tcp, *url, *proxy);
    else if (http_proxy && url->tls)
        tunnel_error = co_await detail::open_connect_tunnel(tcp, *url, *proxy);
    if (!tunnel_error.empty())
        co_return failure(st, tunnel_error);

    if (url->tls)
        co_return co_await over_tls(std::move(tcp), *url, st, deadline);
    auto result = co_await exchange(tcp, st);
    boost::system::error_code ignored;
    tcp.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    co_return result;
}

} // namespace cpamd::proxy
