#include "server_state.hpp"

#include <array>
#include <boost/asio/write.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <chrono>
#include <cpamd/core/log.hpp>
#include <cpamd/http/buffered_parse.hpp>
#include <cpamd/http/cors.hpp>
#include <cpamd/http/field_value.hpp>
#include <cpamd/http/flat_header.hpp>
#include <cpamd/http/reply.hpp>
#include <cpamd/http/write_now.hpp>
#include <limits>

namespace cpamd::http::detail
{
namespace
{

using std::chrono::steady_clock;

bool is_disconnect(const boost::system::error_code& ec)
{
    return ec == bhttp::error::end_of_stream || ec == asio::error::eof ||
           ec == asio::error::connection_reset || ec == asio::error::operation_aborted ||
           ec == beast::error::timeout || ec == asio::error::broken_pipe;
}

// True when the buffer holds a whole request header (its blank line), so reading it is parsing only.
bool header_is_buffered(const beast::flat_buffer& buffer)
{
    const auto data = buffer.data();
    const std::string_view bytes(static_cast<const char*>(data.data()), data.size());
    return bytes.find("\r\n\r\n") != std::string_view::npos;
}

// True when the request has no Transfer-Encoding, or only "chunked" (once, in any case).
bool only_chunked_coding(const bhttp::request_header<>& head)
{
    int codings = 0;
    for (const auto& f : head)
        if (f.name() == bhttp::field::transfer_encoding &&
            any_list_token(
                f.value(), [&](std::string_view t) { return ++codings > 1 || !beast::iequals(t, "chunked"); }
            ))
            return false;
    return true;
}

struct request_outcome
{
    response res;
    bool keep_alive = true;
    bool already_written = false; // a streaming handler wrote its own response
    unsigned streamed_status = 0; // ...with this status
    std::string route_name = "-";
};

// Reads the rest of a buffered request's body, resetting the idle timer before every read so a
// slow but steady upload is fine and a stalled one is not.
asio::awaitable<boost::system::error_code>
read_body(server_state& st, session& s, bhttp::request_parser<bhttp::string_body>& parser)
{
    while (!parser.is_done())
    {
        s.deadline.expires_after(st.options.body_idle_timeout);
        auto [ec, n] = co_await bhttp::async_read_some(s.stream, s.buffer, parser, use_nothrow);
        if (ec)
            co_return ec;
    }
    co_return boost::system::error_code{};
}

asio::awaitable<request_outcome> handle_request(
    server_state& st,
    session& s,
    bhttp::request_parser<bhttp::empty_body>& header_parser,
    const std::string& target // the header's, copied by the caller: the header may move on
)
{
    request_outcome out;
    auto& head = header_parser.get();
    const bool has_body = !header_parser.is_done();
    // An error answered before the body was read leaves unread bytes: the connection cannot be reused.
    auto refuse = [&](response r)
    {
        out.res = std::move(r);
        out.keep_alive = !has_body;
        return out;
    };

    // RFC 9112 §6.1: a request whose last transfer coding is not chunked has no length we can
    // know, and reading on would take its body for the next request (smuggling): 400 and close.
    // Only chunked is understood, so any other coding gets the same.
    if (!only_chunked_coding(head))
    {
        out.res = bad_request_reply("unsupported Transfer-Encoding: only chunked is accepted");
        out.keep_alive = false;
        co_return out;
    }

    std::string_view path = std::string_view(target).substr(0, target.find('?'));
    if (!is_clean_path(path))
        co_return refuse(bad_request_reply("invalid request path"));

    if (head.method() == bhttp::verb::options)
    {
        out.res = empty_reply(204);
        out.keep_alive = !has_body;
        co_return out;
    }

    auto found = st.routes.find(head.method(), path);
    // As Go's ServeMux: a GET route answers HEAD too (write_response leaves the body out). Only
    // a buffered one: a streaming handler writes its own body.
    if (found.result == router::outcome::method_not_allowed && head.method() == bhttp::verb::head)
        if (auto get = st.routes.find(bhttp::verb::get, path);
            get.result == router::outcome::found && !get.target->streamed)
            found = std::move(get);
    if (found.result == router::outcome::not_found)
        co_return refuse(not_found_reply());
    if (found.result == router::outcome::method_not_allowed)
        co_return refuse(method_not_allowed_reply());
    const route& r = *found.target;
    out.route_name = r.options.name;

    if (r.streamed)
    {
        exchange ex(head, target, s.client);
        ex.set_memo(&s.memo);
        ex.set_params(std::move(found.params));
        if (st.options.authorize)
            if (auto denied = st.options.authorize(ex, r.options.auth))
                co_return refuse(std::move(*denied));
        connection_access access{s.stream, s.deadline, s.buffer, header_parser};
        ex.set_connection(&access);
        co_await r.streamed(ex);
        out.already_written = true;
        out.streamed_status = ex.status_written;
        out.keep_alive = !ex.close_after;
        co_return out;
    }

    // Buffered: check the declared length first, then read the body under the route's limit.
    if (auto len = header_parser.content_length(); len && *len > r.options.body_limit)
        co_return refuse(body_too_large_reply(r.options.body_limit));
    bhttp::request_parser<bhttp::string_body> body_parser{std::move(header_parser)};
    body_parser.body_limit(r.options.body_limit);
    if (has_body)
    {
        auto ec = co_await read_body(st, s, body_parser);
        if (ec == bhttp::error::body_limit)
            co_return refuse(body_too_large_reply(r.options.body_limit));
        if (ec)
        {
            out.keep_alive = false;
            if (is_disconnect(ec))
                out.already_written = true; // nobody to answer
            else
                out.res = bad_request_reply("malformed request body");
            co_return out;
        }
    }
    auto& req = body_parser.get();
    exchange ex(req, target, s.client);
    ex.set_memo(&s.memo);
    ex.set_params(std::move(found.params));
    ex.body() = std::move(req.body());
    if (st.options.authorize)
        if (auto denied = st.options.authorize(ex, r.options.auth))
        {
            out.res = std::move(*denied);
            co_return out;
        }

    std::optional<response> res;
    try
    {
        res = co_await r.buffered(ex);
    }
    catch (const std::exception& e)
    {
        log::error("route {}: unhandled error: {}", r.options.name, e.what());
    }
    out.res = res ? std::move(*res) : internal_error_reply();
    co_return out;
}

asio::awaitable<void> write_response(
    server_state& st,
    session& s,
    response& res,
    bool keep_alive,
    std::string_view origin,
    std::string_view path,
    bool head_only = false // a HEAD request: the head as GET's, no body
)
{
    res.version(11);
    res.keep_alive(keep_alive);
    if (path != "/management.html")
        apply_cors(res, origin, st.options.cors_origins);
    res.prepare_payload();
    s.deadline.expires_after(st.options.write_timeout);
    if (head_only && !res.chunked())
    {
        std::string head;
        append_header(res.base(), head);
        co_await write_all(s.stream, asio::buffer(head));
        co_return;
    }
    if (res.chunked())
    {
        co_await bhttp::async_write(s.stream, res, use_nothrow);
        co_return;
    }
    std::string head;
    head.reserve(512);
    append_header(res.base(), head);
    const std::array<asio::const_buffer, 2> pieces{asio::buffer(head), asio::buffer(res.body())};
    co_await write_all(s.stream, pieces);
}

} // namespace

asio::awaitable<void> run_session(std::shared_ptr<server_state> st, std::shared_ptr<session> s)
{
    auto& stream = s->stream;
    auto& buffer = s->buffer;
    for (;;)
    {
        // Between requests: wait for the next one's first byte, at most the idle timeout.
        if (buffer.size() == 0)
        {
            if (st->stopping)
                break;
            s->deadline.expires_after(st->options.idle_timeout);
            auto [ec, n] = co_await stream.async_read_some(buffer.prepare(4096), use_nothrow);
            if (ec)
                break;
            buffer.commit(n);
        }

        // The whole header must arrive within header_timeout (slowloris bound).
        bhttp::request_parser<bhttp::empty_body> parser;
        parser.header_limit(st->options.header_limit);
        // Beast checks Content-Length against its default 1 MiB limit already at the header; the
        // route's own limit decides instead (checked in handle_request).
        parser.body_limit(std::numeric_limits<std::uint64_t>::max());
        // A header already whole in the buffer (the common case) is parsed at once: no read, no
        // deadline (which would pull the armed wait in from the idle timeout), no round trip
        // through the scheduler.
        boost::system::error_code ec;
        const bool parsed = header_is_buffered(buffer) && parse_buffered(buffer, parser, ec) &&
                            (ec || parser.is_header_done());
        if (!parsed)
        {
            s->deadline.expires_after(st->options.header_timeout);
            auto [read_ec, n] = co_await bhttp::async_read_header(stream, buffer, parser, use_nothrow);
            ec = read_ec;
        }
        if (ec)
        {
            if (is_disconnect(ec))
                break;
            st->counters.bad_requests++;
            auto res = ec == bhttp::error::header_limit ? header_too_large_reply() : bad_request_reply();
            co_await write_response(*st, *s, res, false, {}, {});
            break;
        }

        s->busy = true;
        auto started = std::chrono::steady_clock::now();
        st->counters.requests++;
        std::string origin(field_value(parser.get(), bhttp::field::origin));
        std::string method(parser.get().method_string());
        std::string target(parser.get().target());
        bool client_keep_alive = parser.keep_alive(); // from the parse: no field lookup
        auto outcome = co_await handle_request(*st, *s, parser, target);
        bool keep = outcome.keep_alive && client_keep_alive && !st->stopping;
        unsigned status = outcome.streamed_status;
        if (!outcome.already_written)
        {
            auto path = std::string_view(target).substr(0, target.find('?'));
            co_await write_response(*st, *s, outcome.res, keep, origin, path, method == "HEAD");
            status = outcome.res.result_int();
            auto micros =
                std::chrono::duration_cast<std::chrono::microseconds>(steady_clock::now() - started).count();
            log::debug("http {} {} {} {}us route={}", method, path, status, micros, outcome.route_name);
        }
        if (st->options.observe)
            st->options.observe(
                {outcome.route_name,
                 status,
                 std::chrono::duration_cast<std::chrono::microseconds>(steady_clock::now() - started)}
            );
        s->busy = false;
        if (!keep)
            break;
    }
    boost::system::error_code ignored;
    stream.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
    stream.close();
}

} // namespace cpamd::http::detail
