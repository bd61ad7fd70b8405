// HTTP/1.1 connection loop: read a request, route it, apply response faults, write it.

#include "json_text.hpp"
#include "routes.hpp"
#include "sessions.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <fmt/format.h>

namespace cpamd::sim
{
namespace
{

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

constexpr auto use_nothrow = asio::as_tuple(asio::use_awaitable);

std::string http_date()
{
    std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    return buf;
}

std::string header_block(const reply& r, bool keep_alive, std::string_view framing)
{
    std::string h = fmt::format(
        "HTTP/1.1 {} {}\r\n", r.status, std::string(http::obsolete_reason(http::int_to_status(r.status)))
    );
    for (const auto& [k, v] : r.headers)
        h += k + ": " + v + "\r\n";
    h += "Date: " + http_date() + "\r\n";
    h += framing;
    if (!keep_alive)
        h += "Connection: close\r\n";
    h += "\r\n";
    return h;
}

// gin ClientIP() with default trusted proxies: leftmost X-Forwarded-For, then X-Real-IP, then peer.
std::string client_ip_of(const http_request& req, const std::string& peer)
{
    auto xff = req["X-Forwarded-For"];
    if (!xff.empty())
    {
        std::string first(xff.substr(0, xff.find(',')));
        auto b = first.find_first_not_of(" \t");
        auto e = first.find_last_not_of(" \t");
        if (b != std::string::npos)
            return first.substr(b, e - b + 1);
    }
    auto real = req["X-Real-IP"];
    if (!real.empty())
        return std::string(real);
    return peer;
}

template <class Stream>
asio::awaitable<bool> write_all(Stream* stream, std::string_view bytes)
{
    auto [ec, n] = co_await asio::async_write(*stream, asio::buffer(bytes.data(), bytes.size()), use_nothrow);
    (void)n;
    co_return !ec;
}

template <class Stream>
asio::awaitable<void> pause_ms(Stream* stream, int ms)
{
    asio::steady_timer t(stream->get_executor(), std::chrono::milliseconds(ms));
    co_await t.async_wait(use_nothrow);
}

} // namespace

template <class Stream>
asio::awaitable<void>
run_http_session(sim_context* ctx, Stream* stream, beast::flat_buffer buffer, connection_info info)
{
    for (;;)
    {
        http::request_parser<http::string_body> parser;
        parser.header_limit(64 * 1024);
        parser.body_limit(256ull * 1024 * 1024);
        auto [ec, n] = co_await http::async_read(*stream, buffer, parser, use_nothrow);
        (void)n;
        if (ec)
        {
            // Malformed request: Go's server answers 400 and closes; EOF and resets just end.
            if (ec.category() == http::make_error_code(http::error::bad_target).category() &&
                ec != http::error::end_of_stream && ec != http::error::partial_message)
                co_await write_all(
                    stream,
                    "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\n"
                    "Connection: close\r\n\r\n400 Bad Request"
                );
            co_return;
        }
        http_request req = parser.release();
        request_info ri{info.peer_ip, client_ip_of(req, info.peer_ip)};
        std::string path = target_path(req.target());
        bool control = path.rfind("/_sim/", 0) == 0 || path == "/_sim";
        if (!control)
        {
            logged_request lr;
            lr.time = rfc3339_nano(std::chrono::system_clock::now(), 0);
            lr.peer = info.peer_ip;
            lr.protocol = info.tls ? "https" : "http";
            lr.method = std::string(req.method_string());
            lr.target = std::string(req.target());
            for (const auto& f : req)
                lr.headers.emplace_back(std::string(f.name_string()), std::string(f.value()));
            lr.body_bytes = req.body().size();
            ctx->requests.add(std::move(lr));
        }

        // Faults hit CPA's own routes, never /_sim. They are decided before routing so a simulated
        // 500 pops nothing, while a dropped response loses what it popped (as a real cut would).
        const bool faultable =
            !control && (path.rfind("/v0/management/", 0) == 0 || path == "/v1/models" || path == "/models");
        bool keep_alive = req.keep_alive();
        bool drop = false;
        bool fail = false;
        if (faultable)
        {
            auto& f = ctx->faults;
            if (f.delay_ms > 0)
                co_await pause_ms(stream, f.delay_ms);
            if (f.fail_500 != 0)
            {
                if (f.fail_500 > 0)
                    --f.fail_500;
                fail = true;
            }
            else if (f.drop_mid_response != 0)
            {
                if (f.drop_mid_response > 0)
                    --f.drop_mid_response;
                drop = true;
            }
        }
        reply r = fail ? json_reply(500, boost::json::object{{"error", "simulated internal server error"}})
                  : control ? handle_control_request(*ctx, req, ri)
                            : handle_cpa_request(*ctx, req, ri);

        if (ctx->restart_pending)
        {
            std::string out =
                header_block(r, false, fmt::format("Content-Length: {}\r\n", r.body.size())) + r.body;
            co_await write_all(stream, out);
            ctx->restart_pending = false;
            ctx->restart();
            co_return;
        }
        if (r.kind == reply::body_kind::fixed)
        {
            std::string out =
                header_block(r, keep_alive, fmt::format("Content-Length: {}\r\n", r.body.size()));
            if (req.method() != http::verb::head)
                out += r.body;
            if (drop)
            {
                // Promise the whole body, send half of it, then vanish.
                std::size_t cut = out.size() - r.body.size() / 2 - 1;
                co_await write_all(stream, std::string_view(out).substr(0, cut));
                ctx->queue.pop_lost(r.popped, "response-dropped");
                co_return;
            }
            bool written = co_await write_all(stream, out);
            if (written)
                ctx->queue.pop_delivered(r.popped, "pop-http");
            else
                ctx->queue.pop_lost(r.popped, "write-failed");
            if (!written)
                co_return;
        }
        else if (r.kind == reply::body_kind::download)
        {
            // Streamed in 64 KiB pieces; never buffered whole.
            if (!co_await write_all(
                    stream,
                    header_block(r, keep_alive, fmt::format("Content-Length: {}\r\n", r.download_bytes))
                ))
                co_return;
            std::string chunk(64 * 1024, '\0');
            std::uint64_t limit = drop ? r.download_bytes / 2 : r.download_bytes;
            for (std::uint64_t sent = 0; sent < limit;)
            {
                std::size_t len =
                    static_cast<std::size_t>(std::min<std::uint64_t>(chunk.size(), limit - sent));
                for (std::size_t i = 0; i < len; ++i)
                    chunk[i] = download_byte(sent + i);
                if (!co_await write_all(stream, std::string_view(chunk.data(), len)))
                    co_return;
                sent += len;
            }
            if (drop)
                co_return;
        }
        else
        {
            if (!co_await write_all(stream, header_block(r, keep_alive, "Transfer-Encoding: chunked\r\n")))
                co_return;
            for (int i = 0; i < r.sse_events; ++i)
            {
                if (i > 0 && r.sse_interval_ms > 0)
                    co_await pause_ms(stream, r.sse_interval_ms);
                // "t": when the event was written (Unix ms), so a client can measure delivery delay.
                const auto sent_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                                         std::chrono::system_clock::now().time_since_epoch()
                )
                                         .count();
                std::string event = fmt::format(
                    "id: {}\nevent: tick\ndata: {{\"n\":{},\"t\":{}}}\n\n", i + 1, i + 1, sent_ms
                );
                if (!co_await write_all(stream, fmt::format("{:x}\r\n{}\r\n", event.size(), event)))
                    co_return;
                if (drop && i * 2 >= r.sse_events)
                    co_return;
            }
            if (!co_await write_all(stream, "0\r\n\r\n"))
                co_return;
        }
        if (!keep_alive)
            co_return;
    }
}

template asio::awaitable<void>
run_http_session<tcp_socket>(sim_context*, tcp_socket*, beast::flat_buffer, connection_info);
template asio::awaitable<void>
run_http_session<tls_stream>(sim_context*, tls_stream*, beast::flat_buffer, connection_info);

} // namespace cpamd::sim
