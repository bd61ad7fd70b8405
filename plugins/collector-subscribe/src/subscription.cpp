#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cpamd/collectors/resp_errors.hpp>
#include <cpamd/collectors/subscription.hpp>
#include <cpamd/resp/command.hpp>
#include <cpamd/resp/encode.hpp>
#include <exception>
#include <iterator>
#include <vector>

namespace cpamd::collectors
{
namespace
{

namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;
using collector_api::outcome;
using collector_api::outcome_code;
using clock = std::chrono::steady_clock;

constexpr auto use_nothrow = asio::as_tuple(asio::use_awaitable);

bool is_word(const resp::value& v, std::string_view word)
{
    return v.is_string() && resp::to_lower(v.text) == word;
}

// `*3 subscribe <channel> :1` (CPA and Redis alike).
bool is_subscribe_confirmation(const resp::value& v)
{
    return v.is_array() && v.elements.size() == 3 && is_word(v.elements[0], "subscribe") &&
           v.elements[2].type == resp::kind::integer && v.elements[2].integer >= 1;
}

// Built outside the coroutines: g++ 12 miscompiles a braced list inside a coroutine body.
std::string subscribe_command(std::string_view channel)
{
    return resp::encode_command({"SUBSCRIBE", channel});
}

std::string ping_command()
{
    return resp::encode_command({"PING"});
}

std::string unsubscribe_command()
{
    return resp::encode_command({"UNSUBSCRIBE"});
}

constexpr auto max_unsubscribe_wait = std::chrono::milliseconds(2000);

} // namespace

subscription::subscription(
    resp_connection& conn,
    const collector_api::collector_settings& settings,
    collector_api::IEventSink& sink,
    subscribe_options options,
    asio::any_io_executor ex
)
    : conn_(conn), settings_(settings), sink_(sink), options_(options), wake_(ex, clock::time_point::max()),
      space_(ex, clock::time_point::max()), close_(ex, clock::time_point::max())
{
    if (options_.pong_timeout.count() <= 0)
        options_.pong_timeout = settings_.request_timeout;
}

void subscription::end(outcome o)
{
    if (!end_)
        end_ = std::move(o);
}

asio::awaitable<outcome> subscription::run()
{
    auto sent = co_await conn_.send(subscribe_command(settings_.queue), settings_.request_timeout);
    if (sent.code != outcome_code::ok)
        co_return sent;
    auto reply = co_await conn_.read(settings_.request_timeout);
    if (!reply.ok)
        co_return reply.failure;
    if (!is_subscribe_confirmation(reply.value))
    {
        conn_.close();
        if (reply.value.type == resp::kind::error)
            co_return outcome{
                classify_command_error(reply.value.text),
                0,
                "SUBSCRIBE refused: " + scrub(reply.value.text, settings_.management_key)};
        co_return outcome{
            outcome_code::io_error, 0, "SUBSCRIBE: unexpected reply " + resp::debug_string(reply.value)};
    }
    try
    {
        sink_.subscribed();
    }
    catch (...)
    {
        conn_.close();
        co_return outcome{outcome_code::io_error, 0, "the sink failed in subscribed()"};
    }

    live_ = true;
    co_await (read_side() && deliver_loop() && closer());
    live_ = false;
    conn_.close();

    if (sink_error_)
        co_return outcome{outcome_code::io_error, delivered_, "the sink failed: " + *sink_error_};
    auto o = end_.value_or(outcome{outcome_code::lost, 0, "subscription ended"});
    o.delivered = delivered_;
    co_return o;
}

asio::awaitable<void> subscription::read_side()
{
    co_await (receive() || keepalive());
    read_done_ = true;
    wake_.cancel();  // let the deliverer finish what was received, then stop
    close_.cancel(); // and the closer
}

void subscription::request_close()
{
    if (!live_)
    {
        conn_.cancel(); // not confirmed yet: nothing is buffered for us
        return;
    }
    if (close_requested_)
        return;
    close_requested_ = true;
    end({outcome_code::cancelled, 0, "closed"});
    close_.cancel();
}

asio::awaitable<outcome> subscription::send_one(std::string command, std::chrono::milliseconds timeout)
{
    asio::steady_timer turn(co_await asio::this_coro::executor);
    while (writing_)
    {
        turn.expires_after(std::chrono::milliseconds(5));
        co_await turn.async_wait(use_nothrow);
    }
    writing_ = true;
    auto sent = co_await conn_.send(std::move(command), timeout);
    writing_ = false;
    co_return sent;
}

asio::awaitable<void> subscription::closer()
{
    if (!close_requested_ && !read_done_)
        co_await close_.async_wait(use_nothrow);
    if (read_done_ || !close_requested_)
        co_return;
    const auto limit = std::min(settings_.request_timeout, max_unsubscribe_wait);
    auto sent = co_await send_one(unsubscribe_command(), limit);
    if (sent.code == outcome_code::ok && !read_done_)
    {
        // Read on until the reply (on_frame drops the connection then) or the deadline.
        close_.expires_after(limit);
        co_await close_.async_wait(use_nothrow);
    }
    conn_.cancel();
}

asio::awaitable<void> subscription::receive()
{
    for (;;)
    {
        // Backpressure only far beyond anything a working sink lets pile up.
        while (pending_bytes_ >= options_.max_pending_bytes && conn_.is_open())
            co_await space_.async_wait(use_nothrow);
        auto r = co_await conn_.read(std::chrono::milliseconds(0));
        if (!r.ok)
        {
            if (r.failure.code == outcome_code::cancelled)
                end(r.failure);
            else
                end({outcome_code::lost, 0, "subscription lost: " + r.failure.message});
            co_return;
        }
        on_frame(std::move(r.value));
    }
}

void subscription::on_frame(resp::value v)
{
    // *3 message <channel> <payload>. Everything else (pong, subscribe, errors) only proves the
    // peer is alive, which the connection already noted.
    if (close_requested_ && v.is_array() && !v.elements.empty() && is_word(v.elements[0], "unsubscribe"))
    {
        conn_.cancel(); // everything CPA sent before its reply has been read
        return;
    }
    if (!v.is_array() || v.elements.size() != 3 || !is_word(v.elements[0], "message"))
        return;
    auto& payload = v.elements[2];
    pending_bytes_ += payload.text.size();
    pending_.push_back(std::move(payload.text));
    wake_.cancel();
}

asio::awaitable<void> subscription::keepalive()
{
    asio::steady_timer timer(co_await asio::this_coro::executor);
    for (;;)
    {
        auto quiet_until = conn_.last_received() + options_.idle;
        if (clock::now() < quiet_until)
        {
            timer.expires_at(quiet_until);
            if (auto [ec] = co_await timer.async_wait(use_nothrow); ec)
                co_return;
            continue;
        }
        if (close_requested_)
        {
            // The closer watches the connection now. Returning would end the read side early.
            timer.expires_at(clock::time_point::max());
            co_await timer.async_wait(use_nothrow);
            co_return;
        }
        const auto pinged = clock::now();
        auto sent = co_await send_one(ping_command(), options_.pong_timeout);
        if (sent.code != outcome_code::ok)
        {
            end(sent.code == outcome_code::cancelled
                    ? sent
                    : outcome{outcome_code::lost, 0, "PING: " + sent.message});
            co_return;
        }
        timer.expires_at(pinged + options_.pong_timeout);
        if (auto [ec] = co_await timer.async_wait(use_nothrow); ec)
            co_return;
        if (conn_.last_received() >= pinged)
            continue; // the pong, or anything else, arrived
        end(
            {outcome_code::lost,
             0,
             "no reply to PING within " + std::to_string(options_.pong_timeout.count()) + " ms (dead peer)"}
        );
        conn_.close();
        co_return;
    }
}

asio::awaitable<void> subscription::deliver_loop()
{
    for (;;)
    {
        if (pending_.empty())
        {
            if (read_done_)
                co_return;
            co_await wake_.async_wait(use_nothrow);
            continue;
        }
        // Everything received so far, in one call; the receiver keeps reading meanwhile.
        std::vector<std::string> batch(
            std::make_move_iterator(pending_.begin()), std::make_move_iterator(pending_.end())
        );
        pending_.clear();
        pending_bytes_ = 0;
        space_.cancel();
        try
        {
            co_await sink_.deliver(batch, "subscribe");
            delivered_ += static_cast<std::uint32_t>(batch.size());
            continue;
        }
        catch (const std::exception& e)
        {
            sink_error_ = e.what();
        }
        catch (...)
        {
            sink_error_ = "unknown exception";
        }
        *sink_error_ += "; " + std::to_string(batch.size()) + " received records were not stored";
        conn_.close(); // stop receiving what we could not store
        space_.cancel();
        co_return;
    }
}

} // namespace cpamd::collectors
