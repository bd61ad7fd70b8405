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
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <cpamd/proxy/cpa_client.hpp>
#include <cpamd/proxy/cpa_url.hpp>
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

constexpr auto use_nothrow = asio::as_tuple(asio::use_awaitable);
constexpr std::uint64_t max_response_body = 16u << 20; // management answers are small

struct exchange_state
{
    std::string what; // "GET <url>", the prefix of every error
    bhttp::request<bhttp::string_body> req;
};

cpa_result failure(const exchange_state& st, std::string_view step, const boost::system::error_code& ec)
{
    std::string why = ec == beast::error::timeout || ec == asio::error::operation_aborted
                          ? std::string("timeout")
                          : ec.message();
    return cpa_result{std::nullopt, fmt::format("{}: {}: {}", st.what, step, why)};
}

template <class Stream>
asio::awaitable<cpa_result> send_and_read(Stream& stream, exchange_state& st)
{
    auto [wec, wn] = co_await bhttp::async_write(stream, st.req, use_nothrow);
    if (wec)
        co_return failure(st, "write", wec);
    beast::flat_buffer buffer;
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(max_response_body);
    auto [rec, rn] = co_await bhttp::async_read(stream, buffer, parser, use_nothrow);
    if (rec)
        co_return failure(st, "read response", rec);
    auto res = parser.release();
    cpa_response out;
    out.status = res.result_int();
    std::string_view reason = res.reason();
    if (reason.empty())
        reason = bhttp::obsolete_reason(res.result());
    out.reason = fmt::format("{} {}", out.status, reason);
    out.body = std::move(res.body());
    co_return cpa_result{std::move(out), {}};
}

bool is_ip_literal(const std::string& host)
{
    boost::system::error_code ec;
    asio::ip::make_address(host, ec);
    return !ec;
}

} // namespace

asio::awaitable<cpa_result> call_cpa(cpa_request request)
{
    exchange_state st;
    st.what = fmt::format("{} {}{}", bhttp::to_string(request.method), request.base_url, request.path);
    auto url = parse_cpa_url(request.base_url);
    if (!url)
        co_return cpa_result{std::nullopt, "invalid CPA base URL"};

    st.req = bhttp::request<bhttp::string_body>{request.method, url->base_path + request.path, 11};
    st.req.set(bhttp::field::host, url->host_header);
    st.req.set(bhttp::field::user_agent, "cpamd");
    st.req.set(bhttp::field::accept, "application/json");
    if (!request.bearer.empty())
        st.req.set(bhttp::field::authorization, "Bearer " + request.bearer);
    if (!request.body.empty())
    {
        st.req.set(bhttp::field::content_type, "application/json");
        st.req.body() = std::move(request.body);
    }
    st.req.prepare_payload();

    auto ex = co_await asio::this_coro::executor;
    const auto deadline = std::chrono::steady_clock::now() + request.timeout;

    // The resolver does not honour the stream's timer: race it against one.
    asio::ip::tcp::resolver resolver(ex);
    asio::steady_timer timer(ex);
    timer.expires_at(deadline);
    auto resolved =
        co_await (resolver.async_resolve(url->host, url->port, use_nothrow) || timer.async_wait(use_nothrow));
    if (resolved.index() == 1)
        co_return cpa_result{std::nullopt, fmt::format("{}: resolve {}: timeout", st.what, url->host)};
    auto [rec, endpoints] = std::get<0>(std::move(resolved));
    if (rec)
        co_return failure(st, "resolve " + url->host, rec);

    beast::tcp_stream tcp(ex);
    tcp.expires_at(deadline);
    auto [cec, ep] = co_await tcp.async_connect(endpoints, use_nothrow);
    if (cec)
        co_return failure(st, "connect", cec);

    if (!url->tls)
    {
        auto result = co_await send_and_read(tcp, st);
        boost::system::error_code ignored;
        tcp.socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
        co_return result;
    }

    ssl::context ctx(ssl::context::tls_client);
    ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3);
    if (request.tls_skip_verify)
        ctx.set_verify_mode(ssl::verify_none);
    else
    {
        ctx.set_default_verify_paths();
        ctx.set_verify_mode(ssl::verify_peer);
    }
    beast::ssl_stream<beast::tcp_stream> stream(std::move(tcp), ctx);
    // SNI only carries names, never IP literals (RFC 6066).
    if (!is_ip_literal(url->host))
        SSL_set_tlsext_host_name(stream.native_handle(), url->host.c_str());
    if (!request.tls_skip_verify)
        stream.set_verify_callback(ssl::host_name_verification(url->host));
    beast::get_lowest_layer(stream).expires_at(deadline);
    auto [hec] = co_await stream.async_handshake(ssl::stream_base::client, use_nothrow);
    if (hec)
        co_return failure(st, "TLS handshake", hec);
    auto result = co_await send_and_read(stream, st);
    // A peer that closes without close_notify is common and harmless here: we already have the
    // whole response, so the shutdown result is ignored.
    beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(2));
    co_await stream.async_shutdown(use_nothrow);
    co_return result;
}

} // namespace cpamd::proxy
