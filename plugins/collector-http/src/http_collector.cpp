#include "http_collector.hpp"

#include "base_url.hpp"
#include "queue_reply.hpp"

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <cpamd/collectors/unusable_reply.hpp>
#include <fmt/format.h>
#include <optional>
#include <sys/socket.h>

namespace cpamd::collector_http
{

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace ssl = asio::ssl;
using collector_api::outcome;
using collector_api::outcome_code;

namespace
{

constexpr auto use_nothrow = asio::as_tuple(asio::use_awaitable);

outcome make(outcome_code c, std::string message = {}, std::uint32_t delivered = 0)
{
    return outcome{c, delivered, std::move(message)};
}

} // namespace

struct http_state
{
    http_state(const collector_api::collector_context& ctx)
        : strand(asio::make_strand(ctx.executor)), settings(*ctx.settings), sink(*ctx.sink)
    {
        url = parse_base_url(settings.base_url);
        if (url && url->tls)
        {
            tls_ctx.emplace(ssl::context::tls_client);
            if (settings.tls_skip_verify)
                tls_ctx->set_verify_mode(ssl::verify_none);
            else
            {
                tls_ctx->set_default_verify_paths();
                tls_ctx->set_verify_mode(ssl::verify_peer);
            }
        }
    }

    asio::strand<asio::any_io_executor> strand;
    const collector_api::collector_settings& settings;
    collector_api::IEventSink& sink;
    std::optional<base_url> url;
    std::optional<ssl::context> tls_ctx;

    // Strand only. At most one of them is open.
    std::optional<beast::tcp_stream> plain;
    std::optional<beast::ssl_stream<beast::tcp_stream>> secure;
    beast::flat_buffer buffer;
    bool closed = false;

    beast::tcp_stream& lowest() { return secure ? beast::get_lowest_layer(*secure) : *plain; }
    bool connected() { return (plain || secure) && lowest().socket().is_open(); }

    // Aborts pending operations but keeps the stream objects: a pop suspended in them still
    // refers to them until it resumes with operation_aborted.
    void close_socket()
    {
        if (plain || secure)
        {
            boost::system::error_code ignored;
            lowest().socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
            lowest().socket().close(ignored);
        }
    }

    // Only between operations (inside the pop coroutine).
    void drop_connection()
    {
        close_socket();
        plain.reset();
        secure.reset();
        buffer.clear();
    }

    // A kept-alive connection the server has closed (or written to: it never should between
    // requests) must not be reused: sending a pop on it would fail after the fact.
    bool idle_connection_usable()
    {
        char byte;
        auto n = ::recv(lowest().socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
        return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
    }
};

namespace
{

// Connects (and handshakes) when there is no usable kept-alive connection.
asio::awaitable<std::optional<outcome>> ensure_connected(std::shared_ptr<http_state> s)
{
    if (s->connected() && s->idle_connection_usable())
        co_return std::nullopt;
    s->drop_connection();
    const auto timeout = s->settings.request_timeout;

    asio::ip::tcp::resolver resolver(s->strand);
    auto [rec, results] = co_await resolver.async_resolve(s->url->host, s->url->port, use_nothrow);
    if (s->closed)
        co_return make(outcome_code::cancelled);
    if (rec)
        co_return make(outcome_code::io_error, "resolve " + s->url->host + ": " + rec.message());

    if (s->url->tls)
        s->secure.emplace(s->strand, *s->tls_ctx);
    else
        s->plain.emplace(s->strand);
    s->lowest().expires_after(timeout);
    auto [cec, ep] = co_await s->lowest().async_connect(results, use_nothrow);
    if (s->closed)
        co_return make(outcome_code::cancelled);
    if (cec)
    {
        s->drop_connection();
        co_return make(outcome_code::io_error, "connect " + s->url->host_header() + ": " + cec.message());
    }
    if (s->secure)
    {
        auto* native = s->secure->native_handle();
        boost::system::error_code ip_ec;
        asio::ip::make_address(s->url->host, ip_ec);
        if (ip_ec) // SNI carries names only (RFC 6066)
            SSL_set_tlsext_host_name(native, s->url->host.c_str());
        if (!s->settings.tls_skip_verify)
            s->secure->set_verify_callback(ssl::host_name_verification(s->url->host));
        s->lowest().expires_after(timeout);
        auto [hec] = co_await s->secure->async_handshake(ssl::stream_base::client, use_nothrow);
        if (s->closed)
            co_return make(outcome_code::cancelled);
        if (hec)
        {
            s->drop_connection();
            co_return make(
                outcome_code::io_error, "TLS handshake with " + s->url->host_header() + ": " + hec.message()
            );
        }
    }
    co_return std::nullopt;
}

// Sends the pop and reads the reply into `body`, which keeps at most the cap (beyond it: a prefix,
// the size and a hash), so what CPA sends never makes us buffer more. The whole exchange is bounded
// by one request timeout.
template <class Stream>
asio::awaitable<std::optional<outcome>> exchange(
    std::shared_ptr<http_state> s,
    Stream& stream,
    bhttp::request<bhttp::empty_body> req,
    bhttp::response_parser<bhttp::buffer_body>& parser,
    collectors::bounded_body& body
)
{
    s->lowest().expires_after(s->settings.request_timeout);
    auto [wec, wn] = co_await bhttp::async_write(stream, req, use_nothrow);
    (void)wn;
    if (s->closed)
        co_return make(outcome_code::cancelled);
    if (wec)
        co_return make(outcome_code::io_error, "send usage-queue request: " + wec.message());

    parser.body_limit(boost::none); // `body` bounds what is kept
    auto [hec, hn] = co_await bhttp::async_read_header(stream, s->buffer, parser, use_nothrow);
    (void)hn;
    std::vector<char> piece(64 * 1024);
    auto ec = hec;
    while (!ec && !parser.is_done())
    {
        parser.get().body().data = piece.data();
        parser.get().body().size = piece.size();
        auto [rec, rn] = co_await bhttp::async_read(stream, s->buffer, parser, use_nothrow);
        (void)rn;
        ec = rec == bhttp::error::need_buffer ? boost::system::error_code{} : rec;
        body.append(std::string_view(piece.data(), piece.size() - parser.get().body().size));
    }
    if (s->closed)
        co_return make(outcome_code::cancelled);
    if (ec)
    {
        // The request was sent: whatever CPA popped for it is gone. Report, never resend.
        co_return make(outcome_code::io_error, "read usage-queue reply: " + ec.message());
    }
    co_return std::nullopt;
}

std::string short_body(const std::string& body)
{
    std::string b = body.substr(0, 200);
    for (auto& c : b)
        if (c == '\n' || c == '\r')
            c = ' ';
    return b;
}

// Hands one unusable reply to the host as a reject (unusable_reply.hpp) and reports it as an
// error, so the host backs off instead of taking garbage at full speed.
asio::awaitable<outcome>
unusable(std::shared_ptr<http_state> s, std::vector<std::string> reject, std::uint32_t delivered)
{
    auto message = "CPA sent an unusable usage-queue reply (" + reject[0] + "); kept as one reject";
    try
    {
        co_await s->sink.deliver(std::span<const std::string>(reject), collectors::rejected_via("http"));
    }
    catch (const std::exception& e)
    {
        message += std::string(", which could not be stored: ") + e.what();
    }
    co_return make(outcome_code::io_error, std::move(message), delivered);
}

asio::awaitable<outcome> pop_on_strand(std::shared_ptr<http_state> s, std::size_t max)
{
    if (s->closed)
        co_return make(outcome_code::cancelled);
    if (!s->url)
        co_return make(
            outcome_code::io_error, "invalid CPA base URL (expected http://host:port or https://host:port)"
        );
    if (max == 0)
        max = 1;

    if (auto failed = co_await ensure_connected(s))
        co_return std::move(*failed);

    bhttp::request<bhttp::empty_body> req{
        bhttp::verb::get, s->url->prefix + "/v0/management/usage-queue?count=" + std::to_string(max), 11};
    req.set(bhttp::field::host, s->url->host_header());
    req.set(bhttp::field::authorization, "Bearer " + s->settings.management_key);
    req.set(bhttp::field::user_agent, "cpamd-collector");
    req.set(bhttp::field::accept, "application/json");
    req.keep_alive(true);

    bhttp::response_parser<bhttp::buffer_body> parser;
    collectors::bounded_body body(collectors::pop_reply_cap);
    std::optional<outcome> failed;
    if (s->secure)
        failed = co_await exchange(s, *s->secure, std::move(req), parser, body);
    else
        failed = co_await exchange(s, *s->plain, std::move(req), parser, body);
    if (failed)
    {
        s->drop_connection();
        co_return std::move(*failed);
    }

    auto& res = parser.get();
    if (!res.keep_alive())
        s->drop_connection();
    const unsigned status = res.result_int();
    if (status == 404 || status == 405 || status == 501)
        co_return make(outcome_code::unsupported, "usage-queue answered HTTP " + std::to_string(status));
    if (status == 401 || status == 403)
        co_return make(
            outcome_code::auth_failed,
            "usage-queue answered HTTP " + std::to_string(status) + ": " + short_body(body.text())
        );
    if (status != 200)
        co_return make(
            outcome_code::io_error,
            "usage-queue answered HTTP " + std::to_string(status) + ": " + short_body(body.text())
        );

    // The records in this reply are popped already: what cannot be used is kept as one reject, so
    // nothing is lost silently and nothing unbounded is kept.
    if (body.over_cap())
        co_return co_await unusable(
            s,
            body.reject(fmt::format(
                "usage-queue reply of {} bytes is larger than the {} MiB cap; not parsed",
                body.size(),
                collectors::pop_reply_cap >> 20
            )),
            0
        );
    queue_items items;
    if (auto bad = split_queue_reply(body.text(), max, items))
        co_return co_await unusable(s, body.reject(fmt::format("{} ({} bytes)", *bad, body.size())), 0);
    if (items.records.empty())
        co_return make(outcome_code::empty);

    try
    {
        co_await s->sink.deliver(std::span<const std::string>(items.records), "http");
    }
    catch (const std::exception& e)
    {
        co_return make(outcome_code::io_error, std::string("could not store popped records: ") + e.what());
    }
    const auto delivered = static_cast<std::uint32_t>(items.records.size());
    if (items.excess_items)
        co_return co_await unusable(
            s,
            collectors::reject_records(
                fmt::format(
                    "usage-queue answered {} items to count={}; the {} beyond the count",
                    max + items.excess_items,
                    max,
                    items.excess_items
                ),
                items.excess
            ),
            delivered
        );
    co_return make(outcome_code::ok, {}, delivered);
}

asio::awaitable<outcome> guarded_pop(std::shared_ptr<http_state> s, std::size_t max)
{
    try
    {
        co_return co_await pop_on_strand(s, max);
    }
    catch (const std::exception& e)
    {
        s->drop_connection();
        co_return make(outcome_code::io_error, e.what());
    }
}

} // namespace

http_collector::http_collector(const collector_api::collector_context& ctx)
    : state_(std::make_shared<http_state>(ctx))
{
}

// The host destroys us after the last pop completed; a close still queued keeps the state alive.
http_collector::~http_collector() = default;

asio::awaitable<outcome> http_collector::pop(std::size_t max)
{
    co_return co_await asio::co_spawn(state_->strand, guarded_pop(state_, max), asio::use_awaitable);
}

asio::awaitable<outcome> http_collector::subscribe()
{
    co_return make(outcome_code::unsupported, "the http transport cannot subscribe");
}

void http_collector::close()
{
    auto s = state_;
    asio::post(
        s->strand,
        [s]
        {
            s->closed = true;
            s->close_socket();
        }
    );
}

} // namespace cpamd::collector_http
