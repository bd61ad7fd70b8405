#include "pop_collector.hpp"

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cpamd/collectors/resp_connection.hpp>
#include <cpamd/collectors/resp_errors.hpp>
#include <cpamd/collectors/unusable_reply.hpp>
#include <cpamd/resp/encode.hpp>
#include <exception>
#include <optional>
#include <vector>

namespace cpamd::collectors
{

namespace asio = boost::asio;
using collector_api::outcome;
using collector_api::outcome_code;

struct pop_state
{
    explicit pop_state(const collector_api::collector_context& ctx, asio::any_io_executor ex)
        : settings(ctx.settings), sink(ctx.sink), conn(std::move(ex))
    {
    }

    const collector_api::collector_settings* settings;
    collector_api::IEventSink* sink;
    resp_connection conn;
    bool busy = false; // a pop is in flight (the host must not overlap them)
};

namespace
{

// CPA has no upper bound, but a reply is held in memory whole: keep batches moderate (spec §7.7).
constexpr std::size_t max_count = 10000;

std::string pop_command(const collector_api::collector_settings& s, std::size_t n)
{
    auto count = std::to_string(n);
    return resp::encode_command({s.pop_left ? "LPOP" : "RPOP", s.queue, count});
}

// The records in a pop reply, or an outcome when the reply is not a batch.
struct pop_reply
{
    std::vector<std::string> records;
    std::optional<outcome> other;
    std::size_t excess_items = 0; // items beyond the count asked for
    std::string excess;           // their bytes, one per line
};

pop_reply interpret(resp::value v, const collector_api::collector_settings& s, std::size_t n)
{
    pop_reply r;
    switch (v.type)
    {
    case resp::kind::array:
        r.records.reserve(std::min(v.elements.size(), n));
        for (auto& e : v.elements)
        {
            if (e.type == resp::kind::bulk_string || e.type == resp::kind::simple_string)
            {
                if (r.records.size() < n)
                    r.records.push_back(std::move(e.text));
                else
                {
                    // A CPA that answers more than asked: the excess is kept as one reject.
                    if (r.excess_items++)
                        r.excess += '\n';
                    r.excess += e.text;
                }
            }
            else if (e.type != resp::kind::null_bulk)
                r.other = outcome{
                    outcome_code::io_error, 0, "unexpected element in pop reply: " + resp::debug_string(e)};
        }
        break;
    case resp::kind::bulk_string: // the count-less form; harmless to accept
        r.records.push_back(std::move(v.text));
        break;
    case resp::kind::null_array: // real Redis: empty list with a count
    case resp::kind::null_bulk:  // count-less form
        break;
    case resp::kind::error:
        r.other =
            outcome{classify_command_error(v.text), 0, "pop refused: " + scrub(v.text, s.management_key)};
        break;
    default:
        r.other = outcome{outcome_code::io_error, 0, "unexpected pop reply: " + resp::debug_string(v)};
    }
    return r;
}

asio::awaitable<outcome> run_pop(std::shared_ptr<pop_state> st, std::size_t max)
{
    const auto& s = *st->settings;
    if (!st->conn.still_usable())
    {
        auto opened = co_await st->conn.open(st->settings);
        if (opened.code != outcome_code::ok)
            co_return opened;
    }
    auto n = std::clamp<std::size_t>(max, 1, max_count);
    if (auto sent = co_await st->conn.send(pop_command(s, n), s.request_timeout);
        sent.code != outcome_code::ok)
        co_return sent;
    auto reply = co_await st->conn.read(s.request_timeout);
    if (!reply.ok)
    {
        // Not retried: CPA may already have removed the batch (spec §7.7).
        if (reply.failure.code == outcome_code::io_error)
            reply.failure.message += " (pop not retried: records it took may be lost)";
        co_return reply.failure;
    }
    auto r = interpret(std::move(reply.value), s, n);
    if (r.other && r.other->code != outcome_code::io_error)
        st->conn.close(); // refused: start over with a fresh connection and AUTH next time
    if (r.other && r.records.empty())
        co_return *r.other;
    if (r.records.empty())
        co_return outcome{outcome_code::empty, 0, {}};
    try
    {
        co_await st->sink->deliver(r.records, "resp");
    }
    catch (const std::exception& e)
    {
        co_return outcome{
            outcome_code::io_error,
            0,
            "the sink refused " + std::to_string(r.records.size()) + " popped records: " + e.what()};
    }
    catch (...)
    {
        co_return outcome{
            outcome_code::io_error,
            0,
            "the sink refused " + std::to_string(r.records.size()) + " popped records"};
    }
    const auto delivered = static_cast<std::uint32_t>(r.records.size());
    if (r.excess_items == 0)
        co_return outcome{outcome_code::ok, delivered, {}};
    auto reject = reject_records(
        "pop answered " + std::to_string(n + r.excess_items) + " items to a count of " + std::to_string(n) +
            "; the " + std::to_string(r.excess_items) + " beyond the count",
        r.excess
    );
    auto message = "CPA sent an unusable pop reply (" + reject[0] + "); kept as one reject";
    try
    {
        co_await st->sink->deliver(reject, rejected_via("resp"));
    }
    catch (const std::exception& e)
    {
        message += std::string(", which could not be stored: ") + e.what();
    }
    co_return outcome{outcome_code::io_error, delivered, std::move(message)}; // the host backs off
}

// One pop at a time: a second, overlapping call would interleave commands on the connection.
asio::awaitable<outcome> guarded_pop(std::shared_ptr<pop_state> st, std::size_t max)
{
    if (st->busy)
        co_return outcome{outcome_code::io_error, 0, "a pop is already in progress"};
    st->busy = true;
    struct release
    {
        pop_state* s;
        ~release() { s->busy = false; }
    } guard{st.get()};
    co_return co_await run_pop(st, max);
}

} // namespace

pop_collector::pop_collector(const collector_api::collector_context& ctx)
    : strand_(asio::make_strand(ctx.executor)), state_(std::make_shared<pop_state>(ctx, strand_))
{
}

pop_collector::~pop_collector()
{
    // The host destroys us only when no call is pending; a close() handler still queued keeps the
    // state alive through its own reference.
}

asio::awaitable<outcome> pop_collector::pop(std::size_t max)
{
    if (closed_)
        co_return outcome{outcome_code::cancelled, 0, "closed"};
    co_return co_await asio::co_spawn(strand_, guarded_pop(state_, max), asio::use_awaitable);
}

asio::awaitable<outcome> pop_collector::subscribe()
{
    co_return outcome{outcome_code::unsupported, 0, "the resp transport pops; use the subscribe transport"};
}

void pop_collector::close()
{
    closed_ = true;
    asio::post(strand_, [st = state_] { st->conn.cancel(); });
}

} // namespace cpamd::collectors
