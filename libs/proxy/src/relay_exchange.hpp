#pragma once

// Internal: one request/response exchange over one upstream connection, for either stream type.
// The request goes up as it is read from the client, the response comes down as CPA writes it,
// each through one 64 KiB buffer: a slow reader on either side stalls the other (backpressure).

#include "client_watch.hpp"
#include "flat_writer.hpp"

#include <array>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <cpamd/http/buffered_parse.hpp>
#include <cpamd/http/cors.hpp>
#include <cpamd/proxy/header_rules.hpp>
#include <cpamd/proxy/response_head.hpp>
#include <cpamd/proxy/reverse_proxy.hpp>
#include <fmt/format.h>
#include <optional>
#include <string>
#include <vector>

namespace cpamd::proxy::detail
{

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;

enum class body_mode
{
    none,     // no request body
    buffered, // read whole and edited (forward_plan::edit_body)
    streamed  // relayed as it arrives
};

inline constexpr std::size_t relay_chunk = 64 * 1024;

// Relay buffers are reused per thread: allocating and freeing 64 KiB per request showed up as
// malloc consolidation in profiles. Not zeroed: every byte is written before it is read.
struct relay_buffers
{
    static std::vector<std::unique_ptr<char[]>>& spare()
    {
        thread_local std::vector<std::unique_ptr<char[]>> list;
        return list;
    }
    static std::unique_ptr<char[]> take()
    {
        auto& list = spare();
        if (list.empty())
            return std::unique_ptr<char[]>(new char[relay_chunk]);
        auto b = std::move(list.back());
        list.pop_back();
        return b;
    }
    static void give_back(std::unique_ptr<char[]> b)
    {
        if (b && spare().size() < 16)
            spare().push_back(std::move(b));
    }
};

// What one relay carries between its attempts.
struct relay_context
{
    relay_context(http::connection_access& c, const proxy_options& o, proxy_stats& s)
        : client(c), options(o), stats(s)
    {
    }
    ~relay_context() { relay_buffers::give_back(std::move(buffer_)); }
    relay_context(const relay_context&) = delete;
    relay_context& operator=(const relay_context&) = delete;

    // The relay buffer, taken on first use (a bodiless answer already in the read buffer needs none).
    char* buffer()
    {
        if (!buffer_)
            buffer_ = relay_buffers::take();
        return buffer_.get();
    }

    http::connection_access& client;
    const proxy_options& options;
    proxy_stats& stats;
    std::string head; // the upstream request's whole head (header_rules), framing included
    body_framing framing;
    body_mode mode = body_mode::none;
    std::string buffered_body;
    std::optional<bhttp::request_parser<bhttp::buffer_body>> body_parser; // streamed mode
    bool expects_continue = false;
    bool is_head = false;
    bool client_keep_alive = true;
    std::string origin; // the client's Origin, for CORS
    unsigned status_written = 0;

private:
    std::unique_ptr<char[]> buffer_;
};

enum class exchange_end
{
    done,   // the whole response reached the client
    retry,  // a reused connection failed before CPA answered: try a fresh one
    failed, // failed before the response started: `error` is the answer to send
    cut     // failed after the response started: the client connection must close
};

struct exchange_result
{
    exchange_end end = exchange_end::done;
    std::optional<relay_error> error;
    bool reusable = false;     // the upstream connection can serve another request
    bool close_client = false; // the client connection cannot be reused
};

inline std::string describe(const boost::system::error_code& ec)
{
    // Go-like: lower case, as in "connect: connection refused".
    std::string m = ec.message();
    if (!m.empty())
        m[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(m[0])));
    return m;
}

using http::use_nothrow;

// Tells a client that sent "Expect: 100-continue" to go on with its body, once the proxy is ready
// to read it.
inline asio::awaitable<boost::system::error_code>
send_continue(http::connection_access& client, std::chrono::seconds idle)
{
    static constexpr std::string_view go_on = "HTTP/1.1 100 Continue\r\n\r\n";
    client.deadline.expires_after(idle);
    auto [ec, n] = co_await asio::async_write(client.stream, asio::buffer(go_on), use_nothrow);
    co_return ec;
}

// Reading CPA's response as beast::http::async_read_header / async_read_some do, without their
// composed operations: what is already buffered is parsed first (http::parse_buffered; a small
// answer arrives whole with its header); only then is the socket read, straight into the buffer.
using http::parse_buffered;

// What a read that ended the stream means for the parser, as Beast's reads decide it.
template <class Parser>
boost::system::error_code end_of_stream(Parser& p)
{
    boost::system::error_code ec;
    if (p.got_some())
        p.put_eof(ec);
    else
        ec = bhttp::error::end_of_stream;
    return ec;
}

// What one read of `n` bytes into `buffer.prepare()` (ending with `ec`) gives the parser.
template <class Parser>
boost::system::error_code
parse_read(boost::system::error_code ec, std::size_t n, beast::flat_buffer& buffer, Parser& p)
{
    if (ec == asio::error::eof)
        return end_of_stream(p);
    if (ec)
        return ec;
    buffer.commit(n);
    parse_buffered(buffer, p, ec);
    return ec;
}

// Sends a request whose body streams from the client: the head first, so CPA can refuse early,
// then the body piece by piece as it comes. On failure: which step failed and why; a client that
// went away is reported as "client" with its error.
template <class Stream>
asio::awaitable<std::optional<std::pair<std::string_view, boost::system::error_code>>>
send_streamed_request(Stream& up, relay_context& x)
{
    const auto idle = x.options.idle_timeout;
    auto& client = x.client.stream;
    flat_writer out(std::move(x.head), x.framing.how == body_framing::kind::chunked);
    x.client.deadline.other_expires_after(idle);
    if (auto [ec, n] = co_await out.write_header(up); ec)
        co_return std::pair{std::string_view("write request"), ec};
    if (x.expects_continue)
        if (auto ec = co_await send_continue(x.client, idle); ec)
            co_return std::pair{std::string_view("client"), ec};
    auto& p = *x.body_parser;
    while (!p.is_done())
    {
        p.get().body().data = x.buffer();
        p.get().body().size = relay_chunk;
        x.client.deadline.expires_after(idle);
        auto [rec, rn] = co_await bhttp::async_read_some(client, x.client.buffer, p, use_nothrow);
        if (rec && rec != bhttp::error::need_buffer)
            co_return std::pair{std::string_view("client"), rec};
        const auto got = relay_chunk - p.get().body().size;
        if (got == 0)
            continue;
        x.client.deadline.other_expires_after(idle);
        if (auto [ec, n] = co_await out.write_piece(up, asio::buffer(x.buffer(), got)); ec)
            co_return std::pair{std::string_view("write request body"), ec};
    }
    if (out.pending())
    {
        x.client.deadline.other_expires_after(idle);
        if (auto [ec, n] = co_await out.finish(up); ec)
            co_return std::pair{std::string_view("write request"), ec};
    }
    co_return std::nullopt;
}

template <class Stream>
asio::awaitable<exchange_result> relay_exchange(Stream& up, upstream_connection& conn, relay_context& x)
{
    const auto idle = x.options.idle_timeout;
    auto& client = x.client.stream;
    // The connection's watchdog times this exchange: the client's operations as always, the waits
    // on CPA with its own action (cancel the upstream request), and the moment to start watching
    // for a hang-up. Whatever way the exchange ends, those go with it.
    auto& deadline = x.client.deadline;
    deadline.on_other_expire(
        [c = &conn]
        {
            boost::system::error_code ignored;
            c->socket().cancel(ignored);
        }
    );
    struct release_watchdog
    {
        http::watchdog& w;
        ~release_watchdog()
        {
            w.on_other_expire(nullptr);
            w.stop_checkpoint();
            w.expires_never();
        }
    } release{deadline};
    const bool may_retry = conn.reused && x.mode != body_mode::streamed;
    // Beast reads as much as the buffer has room for: without room, bodies move 512 bytes a call.
    conn.buffer().reserve(relay_chunk);
    x.client.buffer.reserve(relay_chunk);
    bool request_sent = false;

    // Watches for a client hanging up while CPA works, cancelling the upstream request then.
    client_watch watch(
        client.socket(),
        [&conn]
        {
            boost::system::error_code ignored;
            conn.socket().cancel(ignored);
        }
    );
    // Most answers come at once; only a request still waiting after a moment is worth watching
    // (a wait armed and cancelled per request). The watchdog keeps that moment. The client socket
    // is the request body's until the request is sent, so the watch waits for it.
    struct watch_start
    {
        client_watch& watch;
        const bool& request_sent;
        bool due = false;
    } starter{watch, request_sent};
    deadline.checkpoint_after(
        std::chrono::milliseconds(100),
        [s = &starter]
        {
            if (s->request_sent)
                s->watch.start();
            else
                s->due = true;
        }
    );

    auto upstream_failed = [&](std::string_view step, const boost::system::error_code& ec)
    {
        exchange_result r;
        r.end = exchange_end::failed;
        r.close_client = x.mode == body_mode::streamed && !x.body_parser->is_done();
        if (deadline.expired())
        {
            x.stats.upstream_timeouts++;
            r.error = relay_error{
                504,
                "request_failed",
                fmt::format("CPA did not answer within {} s ({})", idle.count(), step)};
            return r;
        }
        if (may_retry && (ec == asio::error::eof || ec == bhttp::error::end_of_stream ||
                          ec == asio::error::connection_reset || ec == asio::error::broken_pipe))
        {
            r.end = exchange_end::retry;
            return r;
        }
        x.stats.upstream_errors++;
        r.error = relay_error{502, "request_failed", fmt::format("{}: {}", step, describe(ec))};
        return r;
    };
    auto client_left = [&]
    {
        x.stats.client_aborts++;
        exchange_result r;
        r.end = exchange_end::cut;
        r.close_client = true;
        return r;
    };

    // 1. The request: its head and a body in memory in one gather write (x.head stays whole: only
    // such a request is ever sent again), or a streamed body.
    if (x.mode != body_mode::streamed)
    {
        const std::array<asio::const_buffer, 2> pieces{asio::buffer(x.head), asio::buffer(x.buffered_body)};
        deadline.other_expires_after(idle);
        if (auto [ec, n] = co_await http::write_all(up, pieces); ec)
            co_return upstream_failed("write request", ec);
    }
    else if (auto failed = co_await send_streamed_request(up, x))
    {
        if (failed->first == "client")
            co_return client_left();
        co_return upstream_failed(failed->first, failed->second);
    }
    request_sent = true;

    // 2. CPA's response header. From here the client may hang up at any moment.
    if (starter.due)
        watch.start();
    std::optional<response_head_parser> rp;
    for (;;)
    {
        rp.emplace();
        rp->body_limit(boost::none);
        if (x.is_head)
            rp->skip(true);
        deadline.other_expires_after(idle);
        boost::system::error_code ec;
        while (!ec && !rp->is_header_done())
            if (!parse_buffered(conn.buffer(), *rp, ec))
            {
                auto [read_ec, n] =
                    co_await up.async_read_some(conn.buffer().prepare(relay_chunk), use_nothrow);
                ec = parse_read(read_ec, n, conn.buffer(), *rp);
            }
        if (watch.gone())
            co_return client_left();
        if (ec)
            co_return upstream_failed("read response", ec);
        const auto status = rp->head().status();
        if (status < 100 || status >= 200)
            break;
        if (status == 101)
        {
            x.stats.upstream_errors++;
            co_return exchange_result{
                exchange_end::failed,
                relay_error{502, "request_failed", "protocol upgrades are not proxied"}};
        }
        // 1xx interim answers (100 Continue, 103 Early Hints) are ours to swallow.
    }

    // 3. The response head to the client, written straight from CPA's parsed header, then the
    // body as it comes, through the relay buffer (response_head_parser::body_to).
    const auto& res = rp->head();
    const auto status = res.status();
    const bool has_body = !x.is_head && status != 204 && status != 304;
    const bool chunk_it = has_body && !rp->content_length(); // chunked, or ended by close upstream
    // A HEAD answer keeps the Content-Length a GET would have.
    std::string head;
    head.reserve(512);
    append_client_head(
        res,
        client_head{x.client_keep_alive, chunk_it, http::cors_for(x.origin, x.options.cors_origins)},
        head
    );
    flat_writer out(std::move(head), chunk_it);
    x.status_written = status;
    // The header goes out with the first piece of the body (one segment for a small answer),
    // except for event streams, whose header the client should see before the first event.
    const bool header_first =
        !has_body || res.value(bhttp::field::content_type).starts_with("text/event-stream");
    if (header_first)
    {
        deadline.expires_after(idle);
        if (auto [ec, n] = co_await out.write_header(client); ec)
            co_return client_left();
    }

    if (has_body)
    {
        while (!rp->is_done())
        {
            rp->body_to(x.buffer(), relay_chunk);
            deadline.other_expires_after(idle);
            boost::system::error_code rec;
            if (!parse_buffered(conn.buffer(), *rp, rec))
            {
                auto [read_ec, n] =
                    co_await up.async_read_some(conn.buffer().prepare(relay_chunk), use_nothrow);
                rec = parse_read(read_ec, n, conn.buffer(), *rp);
            }
            if (watch.gone())
                co_return client_left();
            if (rec && rec != bhttp::error::need_buffer)
            {
                // Mid-body: the client sees a cut connection, never a made-up ending.
                (deadline.expired() ? x.stats.upstream_timeouts : x.stats.upstream_errors)++;
                co_return exchange_result{exchange_end::cut, std::nullopt, false, true};
            }
            const auto got = relay_chunk - rp->body_room();
            if (got == 0)
                continue;
            deadline.expires_after(idle);
            if (auto [ec, n] = co_await out.write_piece(client, asio::buffer(x.buffer(), got)); ec)
                co_return client_left();
        }
        if (out.pending())
        {
            deadline.expires_after(idle);
            if (auto [ec, n] = co_await out.finish(client); ec)
                co_return client_left();
        }
    }
    watch.stop();

    exchange_result done;
    done.reusable = request_sent && rp->is_done() && rp->keep_alive() && conn.buffer().size() == 0;
    done.close_client = !x.client_keep_alive;
    co_return done;
}

} // namespace cpamd::proxy::detail
