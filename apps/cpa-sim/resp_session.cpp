// RESP on the API port (spec §3.3-§3.5): AUTH, LPOP/RPOP usage, SUBSCRIBE usage|errors, and the
// exact error strings and close rules of CPA.

#include "hostile_replies.hpp"
#include "json_text.hpp"
#include "sessions.hpp"

#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <charconv>
#include <cpamd/resp/command.hpp>
#include <cpamd/resp/encode.hpp>

namespace cpamd::sim
{
namespace
{

namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;
constexpr auto use_nothrow = asio::as_tuple(asio::use_awaitable);

std::string trim(std::string_view s)
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
        s.remove_suffix(1);
    return std::string(s);
}

std::string error_line(std::string_view text)
{
    std::string out;
    resp::append_error(out, text);
    return out;
}

// State shared by the reader and writer halves of one connection.
struct resp_state
{
    bool authed = false;
    std::string input; // bytes read but not yet parsed
    resp::command_reader reader;
    std::shared_ptr<subscriber_sink> sink; // set once subscribed
    std::vector<std::uint64_t> popped;     // records in the reply being written
    bool close_after_flush = false;
};

enum class outcome
{
    stay,      // keep reading
    close,     // write the reply, then close
    subscribed // switch to subscribed mode
};

// One command outside subscribed mode. Appends the reply to `out`.
outcome handle_command(
    sim_context& ctx, resp_state& st, const connection_info& info, resp::command& cmd, std::string& out
)
{
    if (cmd.empty())
    {
        resp::append_error(out, "ERR empty command");
        return outcome::stay;
    }
    const std::string name = resp::to_lower(cmd[0]);
    auto& auth = ctx.auth;
    if (name == "auth")
    {
        if (cmd.size() != 2 && cmd.size() != 3)
        {
            resp::append_error(out, "ERR wrong number of arguments for 'auth' command");
            return outcome::stay;
        }
        auto r = auth.check(info.peer_ip, cmd.back()); // AUTH <user> <pw>: user ignored
        if (r == auth_result::ok)
        {
            st.authed = true;
            resp::append_simple(out, "OK");
        }
        else
            resp::append_error(out, "ERR " + auth.message(r, info.peer_ip));
        return outcome::stay;
    }
    if (!st.authed)
    {
        // A command before AUTH is a failed login (spec §7.5).
        if (auth.is_banned(info.peer_ip))
            resp::append_error(out, "ERR " + auth.message(auth_result::banned, info.peer_ip));
        else
        {
            auth.record_failure(info.peer_ip);
            resp::append_error(out, "NOAUTH Authentication required.");
        }
        return outcome::stay;
    }
    if (name == "lpop" || name == "rpop")
    {
        if (cmd.size() != 2 && cmd.size() != 3)
        {
            resp::append_error(out, "ERR wrong number of arguments for '" + name + "' command");
            return outcome::stay;
        }
        std::string key = trim(cmd[1]);
        if (resp::to_lower(key) != "usage")
        {
            resp::append_error(out, "ERR unsupported channel '" + key + "'");
            return outcome::stay;
        }
        if (cmd.size() == 2)
        {
            // Both LPOP and RPOP pop the oldest item.
            auto items = ctx.queue.pop(1);
            if (items.empty())
                resp::append_null_bulk(out);
            else
            {
                resp::append_bulk(out, items.front().record);
                st.popped.push_back(items.front().seq);
            }
            return outcome::stay;
        }
        long long n = 0;
        std::string arg = trim(cmd[2]);
        auto [ptr, ec] = std::from_chars(arg.data(), arg.data() + arg.size(), n);
        if (ec != std::errc{} || ptr != arg.data() + arg.size() || n <= 0)
        {
            resp::append_error(out, "ERR value is not an integer or out of range");
            return outcome::stay;
        }
        if (ctx.faults.over_answer > 0)
        {
            out += over_answer_resp(static_cast<std::size_t>(ctx.faults.over_answer)); // queue untouched
            return outcome::stay;
        }
        auto items = ctx.queue.pop(static_cast<std::size_t>(n));
        resp::append_array_header(out, items.size()); // empty: *0, never *-1
        for (const auto& i : items)
        {
            resp::append_bulk(out, i.record);
            st.popped.push_back(i.seq);
        }
        return outcome::stay;
    }
    if (name == "subscribe")
    {
        if (cmd.size() != 2)
        {
            resp::append_error(out, "ERR wrong number of arguments for 'subscribe' command");
            return outcome::stay;
        }
        std::string channel = resp::to_lower(trim(cmd[1]));
        if (channel != "usage" && channel != "errors")
        {
            resp::append_error(out, "ERR unsupported channel '" + cmd[1] + "'");
            return outcome::stay;
        }
        resp::append_array_header(out, 3);
        resp::append_bulk(out, "subscribe");
        resp::append_bulk(out, cmd[1]);
        resp::append_integer(out, 1);
        return outcome::subscribed;
    }
    resp::append_error(out, "ERR unknown command '" + name + "'");
    return outcome::stay;
}

// One command in subscribed mode: PING, UNSUBSCRIBE and QUIT only.
outcome handle_subscribed(resp::command& cmd, const std::string& channel, std::string& out)
{
    if (cmd.empty())
    {
        resp::append_error(out, "ERR empty command");
        return outcome::stay;
    }
    const std::string name = resp::to_lower(cmd[0]);
    if (name == "ping")
    {
        resp::append_array_header(out, 2);
        resp::append_bulk(out, "pong");
        if (cmd.size() > 1)
            resp::append_bulk(out, cmd[1]);
        else
            resp::append_null_bulk(out); // CPA sends nil here; real Redis sends $0
        return outcome::stay;
    }
    if (name == "unsubscribe")
    {
        resp::append_array_header(out, 3);
        resp::append_bulk(out, "unsubscribe");
        resp::append_bulk(out, channel);
        resp::append_integer(out, 0);
        return outcome::close;
    }
    if (name == "quit")
    {
        resp::append_simple(out, "OK");
        return outcome::close;
    }
    resp::append_error(out, "ERR unknown command '" + name + "'");
    return outcome::stay;
}

// RESP commands go to the same log as HTTP requests, so a test can see exactly what a client
// sent (method = command as sent, target = the arguments joined by spaces).
void log_command(sim_context& ctx, const connection_info& info, const resp::command& cmd)
{
    logged_request lr;
    lr.time = rfc3339_nano(std::chrono::system_clock::now(), 0);
    lr.peer = info.peer_ip;
    lr.protocol = info.tls ? "resp-tls" : "resp";
    if (!cmd.empty())
        lr.method = cmd[0];
    for (std::size_t i = 1; i < cmd.size(); ++i)
        lr.target += (i > 1 ? " " : "") + cmd[i];
    ctx.requests.add(std::move(lr));
}

template <class Stream>
void close_stream(Stream* s)
{
    boost::system::error_code ignored;
    s->lowest_layer().close(ignored);
}

// Reads until one command is parsed. Returns nullopt on EOF/IO error (after writing the close
// error, if any) and sets `protocol_error` for malformed input.
template <class Stream>
asio::awaitable<std::optional<resp::command>>
read_command(Stream* stream, resp_state& st, bool& protocol_error)
{
    std::array<char, 16 * 1024> chunk{};
    for (;;)
    {
        resp::command cmd;
        std::string_view view(st.input);
        auto s = st.reader.feed(view, cmd);
        st.input.erase(0, st.input.size() - view.size());
        if (s == resp::command_status::done)
            co_return cmd;
        if (s == resp::command_status::error)
        {
            protocol_error = true;
            co_return std::nullopt;
        }
        auto [ec, n] = co_await stream->async_read_some(asio::buffer(chunk), use_nothrow);
        if (ec)
            co_return std::nullopt;
        st.input.append(chunk.data(), n);
    }
}

template <class Stream>
asio::awaitable<void>
subscribed_reader(sim_context* ctx, Stream* stream, resp_state* st, connection_info info)
{
    while (!st->close_after_flush && !st->sink->dead())
    {
        bool protocol_error = false;
        auto cmd = co_await read_command(stream, *st, protocol_error);
        if (!cmd)
        {
            if (protocol_error)
                st->sink->push_reply(error_line("ERR protocol error"));
            break;
        }
        log_command(*ctx, info, *cmd);
        std::string out;
        auto o = handle_subscribed(*cmd, st->sink->channel(), out);
        st->sink->push_reply(std::move(out));
        if (o == outcome::close)
        {
            // Unsubscribed: nothing more is offered to it (new records are queued again); what was
            // buffered before the reply is still written, then the connection closes.
            ctx->queue.remove_subscriber(st->sink.get());
            break;
        }
    }
    st->close_after_flush = true;
    st->sink->wake().cancel();
}

template <class Stream>
asio::awaitable<void> subscribed_writer(sim_context* ctx, Stream* stream, resp_state* st)
{
    auto& sink = *st->sink;
    std::string batch;
    for (;;)
    {
        if (sink.dead())
            break;
        if (sink.empty())
        {
            if (st->close_after_flush)
                break;
            sink.wake().expires_at(asio::steady_timer::time_point::max());
            co_await sink.wake().async_wait(use_nothrow);
            continue;
        }
        // Everything pending goes out in one write.
        auto items = sink.take_all();
        batch.clear();
        for (const auto& i : items)
            batch += i.bytes;
        auto [ec, n] = co_await asio::async_write(*stream, asio::buffer(batch), use_nothrow);
        (void)n;
        for (const auto& i : items)
            if (i.seq != 0)
            {
                if (ec)
                    ctx->queue.subscriber_dropped(sink, i.seq);
                else
                    ctx->queue.subscriber_wrote(sink, i.seq);
            }
        if (ec)
            break;
    }
    // Whatever is still buffered never reaches the client.
    for (const auto& i : sink.take_all())
        if (i.seq != 0)
            ctx->queue.subscriber_dropped(sink, i.seq);
    close_stream(stream); // ends the reader's pending read
}

} // namespace

template <class Stream>
asio::awaitable<void>
run_resp_session(sim_context* ctx, Stream* stream, std::string initial, connection_info info)
{
    if (ctx->faults.resp_disabled)
    {
        // v7.1.17: RESP removed; every connection gets this line and is closed.
        co_await asio::async_write(
            *stream, asio::buffer(std::string_view("-ERR RESP AUTH disabled; use mTLS\r\n")), use_nothrow
        );
        co_return;
    }
    resp_state st;
    st.input = std::move(initial);
    for (;;)
    {
        bool protocol_error = false;
        auto cmd = co_await read_command(stream, st, protocol_error);
        if (!cmd)
        {
            if (protocol_error)
                co_await asio::async_write(
                    *stream, asio::buffer(std::string_view("-ERR protocol error\r\n")), use_nothrow
                );
            co_return;
        }
        log_command(*ctx, info, *cmd);
        std::string out;
        auto o = handle_command(*ctx, st, info, *cmd, out);
        if (o != outcome::subscribed)
        {
            auto [ec, n] = co_await asio::async_write(*stream, asio::buffer(out), use_nothrow);
            (void)n;
            if (ec)
                ctx->queue.pop_lost(st.popped, "write-failed");
            else
                ctx->queue.pop_delivered(st.popped, "pop-resp");
            st.popped.clear();
            if (ec || o == outcome::close)
                co_return;
            continue;
        }
        // SUBSCRIBE: the reply, then {"support_refresh":true} on usage, then events. No replay.
        std::string channel = resp::to_lower(trim((*cmd)[1]));
        st.sink = std::make_shared<subscriber_sink>(
            stream->get_executor(), info.id, channel, ctx->opts.subscriber_buffer
        );
        st.sink->push_reply(std::move(out));
        if (channel == "usage")
            st.sink->offer_message(resp::encode_message("usage", R"({"support_refresh":true})"), 0);
        if (ctx->faults.subscribe_garbage)
            st.sink->push_reply("!not-resp\r\n"); // no valid RESP frame starts with '!'
        st.sink->on_overflow = [stream] { close_stream(stream); };
        ctx->queue.add_subscriber(st.sink);
        co_await (subscribed_reader(ctx, stream, &st, info) && subscribed_writer(ctx, stream, &st));
        ctx->queue.remove_subscriber(st.sink.get());
        st.sink->on_overflow = nullptr;
        co_return;
    }
}

template asio::awaitable<void>
run_resp_session<tcp_socket>(sim_context*, tcp_socket*, std::string, connection_info);
template asio::awaitable<void>
run_resp_session<tls_stream>(sim_context*, tls_stream*, std::string, connection_info);

} // namespace cpamd::sim
