#include "usage_queue.hpp"

#include <cpamd/resp/encode.hpp>

namespace cpamd::sim
{

subscriber_sink::subscriber_sink(
    boost::asio::any_io_executor ex, std::uint64_t id, std::string channel, std::size_t capacity
)
    : id_(id), channel_(std::move(channel)), capacity_(capacity),
      wake_(ex, std::chrono::steady_clock::time_point::max())
{
}

bool subscriber_sink::offer_message(std::string frame, std::uint64_t seq)
{
    if (dead_)
        return false;
    if (messages_ >= capacity_)
    {
        dead_ = true;
        if (on_overflow)
            on_overflow();
        return false;
    }
    ++messages_;
    pending_.push_back(item{std::move(frame), seq, true});
    wake_.cancel();
    return true;
}

void subscriber_sink::push_reply(std::string bytes)
{
    pending_.push_back(item{std::move(bytes), 0, false});
    wake_.cancel();
}

std::deque<subscriber_sink::item> subscriber_sink::take_all()
{
    messages_ = 0;
    return std::exchange(pending_, {});
}

usage_queue::usage_queue(ledger& l, int retention_seconds) : ledger_(l), retention_(retention_seconds) {}

std::uint64_t usage_queue::produce(const std::string& record, std::string_view origin)
{
    std::uint64_t seq = next_seq_++;
    ++stats_.produced;
    ledger_.produced(seq, record, origin);
    return seq;
}

void usage_queue::discard(std::uint64_t seq, std::string_view reason)
{
    ++stats_.discarded;
    ledger_.discarded(seq, reason);
}

void usage_queue::enqueue(std::uint64_t seq, std::string record)
{
    prune();
    bool any = false;
    std::string frame;
    for (auto it = subscribers_.begin(); it != subscribers_.end();)
    {
        auto sink = *it; // keep alive: on_overflow may remove it
        if (sink->channel() != "usage" || sink->dead())
        {
            ++it;
            continue;
        }
        any = true;
        if (frame.empty())
            frame = resp::encode_message("usage", record);
        ++it;
        if (!sink->offer_message(frame, seq))
        {
            // The overflowing message is lost: a subscriber existed, so it is not queued.
            ++stats_.lost;
            ++stats_.overflow_disconnects;
            ledger_.lost(seq, "overflow", sink->id());
            remove_subscriber(sink.get());
        }
    }
    if (any)
        return;
    ++stats_.queued;
    ledger_.queued(seq);
    items_.push_back(entry{seq, std::move(record), clock::now()});
}

std::vector<usage_queue::popped> usage_queue::pop(std::size_t n)
{
    prune();
    std::vector<popped> out;
    while (n-- > 0 && !items_.empty())
    {
        auto& e = items_.front();
        out.push_back(popped{e.seq, std::move(e.record)});
        items_.pop_front();
    }
    return out;
}

void usage_queue::pop_delivered(const std::vector<std::uint64_t>& seqs, std::string_view via)
{
    for (auto seq : seqs)
    {
        ledger_.delivered(seq, via);
        if (via == "pop-http")
            ++stats_.delivered_pop_http;
        else
            ++stats_.delivered_pop_resp;
    }
}

void usage_queue::pop_lost(const std::vector<std::uint64_t>& seqs, std::string_view reason)
{
    for (auto seq : seqs)
    {
        ++stats_.lost;
        ledger_.lost(seq, reason);
    }
}

void usage_queue::prune()
{
    // Lazy, like CPA: only on enqueue and pop; age counts from enqueue time.
    auto cutoff = clock::now() - retention_;
    while (!items_.empty() && items_.front().enqueued <= cutoff)
    {
        ++stats_.expired;
        ledger_.expired(items_.front().seq);
        items_.pop_front();
    }
}

void usage_queue::publish_control(const std::string& payload)
{
    auto frame = resp::encode_message("usage", payload);
    for (const auto& s : std::list(subscribers_))
        if (s->channel() == "usage" && !s->dead() && !s->offer_message(frame, 0))
        {
            ++stats_.overflow_disconnects;
            remove_subscriber(s.get());
        }
}

void usage_queue::publish_error_event(const std::string& payload)
{
    auto frame = resp::encode_message("errors", payload);
    for (const auto& s : std::list(subscribers_))
        if (s->channel() == "errors" && !s->dead() && !s->offer_message(frame, 0))
        {
            ++stats_.overflow_disconnects;
            remove_subscriber(s.get());
        }
}

void usage_queue::add_subscriber(std::shared_ptr<subscriber_sink> s)
{
    subscribers_.push_back(std::move(s));
}

void usage_queue::remove_subscriber(const subscriber_sink* s)
{
    subscribers_.remove_if([s](const auto& p) { return p.get() == s; });
}

void usage_queue::subscriber_wrote(const subscriber_sink& s, std::uint64_t seq)
{
    ++stats_.delivered_subscriber;
    ledger_.delivered(seq, "subscriber", s.id());
}

void usage_queue::subscriber_dropped(const subscriber_sink& s, std::uint64_t seq)
{
    ++stats_.lost;
    ledger_.lost(seq, "disconnect", s.id());
}

void usage_queue::restart()
{
    for (auto& e : items_)
    {
        ++stats_.lost;
        ledger_.lost(e.seq, "restart");
    }
    items_.clear();
}

std::size_t usage_queue::subscriber_count(std::string_view channel) const
{
    std::size_t n = 0;
    for (const auto& s : subscribers_)
        if (s->channel() == channel && !s->dead())
            ++n;
    return n;
}

} // namespace cpamd::sim
