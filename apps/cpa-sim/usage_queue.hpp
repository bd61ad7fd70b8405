#pragma once

// CPA's usage queue (spec §0, §4): an in-memory FIFO pruned lazily by enqueue age, bypassed
// entirely while at least one `usage` subscriber is connected (each subscriber gets its own
// copy). Each subscriber has a bounded buffer; overflowing it disconnects that subscriber and
// loses the message for it. Single-threaded: everything runs on the io_context thread.

#include "ledger.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <list>
#include <memory>
#include <string>
#include <vector>

namespace cpamd::sim
{

// One subscribed RESP connection's outbound buffer. The queue fills it; the session's writer
// drains it. Replies to commands go through the same buffer so ordering is kept, but only
// messages count against the capacity.
class subscriber_sink
{
public:
    struct item
    {
        std::string bytes;     // encoded RESP frame(s)
        std::uint64_t seq = 0; // record sequence number, 0 for control messages and replies
        bool message = false;  // counts against capacity
    };

    subscriber_sink(
        boost::asio::any_io_executor ex, std::uint64_t id, std::string channel, std::size_t capacity
    );

    std::uint64_t id() const { return id_; }
    const std::string& channel() const { return channel_; } // lower-case: "usage" or "errors"

    // Queues an encoded message. Returns false on overflow (the sink is then marked dead and
    // on_overflow runs once).
    bool offer_message(std::string frame, std::uint64_t seq);
    void push_reply(std::string bytes);
    // Takes everything pending (writer side).
    std::deque<item> take_all();
    bool empty() const { return pending_.empty(); }
    bool dead() const { return dead_; }

    boost::asio::steady_timer& wake() { return wake_; } // cancelled when there is new data
    std::function<void()> on_overflow;                  // closes the connection

private:
    std::uint64_t id_;
    std::string channel_;
    std::size_t capacity_;
    std::size_t messages_ = 0;
    std::deque<item> pending_;
    bool dead_ = false;
    boost::asio::steady_timer wake_;
};

struct queue_stats
{
    std::uint64_t produced = 0;
    std::uint64_t queued = 0;
    std::uint64_t delivered_pop_http = 0;
    std::uint64_t delivered_pop_resp = 0;
    std::uint64_t delivered_subscriber = 0;
    std::uint64_t expired = 0;
    std::uint64_t lost = 0;
    std::uint64_t discarded = 0;
    std::uint64_t overflow_disconnects = 0;
};

class usage_queue
{
public:
    using clock = std::chrono::steady_clock;

    usage_queue(ledger& l, int retention_seconds);

    void set_retention(int seconds) { retention_ = std::chrono::seconds(seconds); }
    int retention_seconds() const { return static_cast<int>(retention_.count()); }

    // Assigns the next sequence number and logs "produced". The caller then enqueues or discards.
    std::uint64_t produce(const std::string& record, std::string_view origin);
    // CPA's Enqueue: divert to usage subscribers if any, else append to the FIFO.
    void enqueue(std::uint64_t seq, std::string record);
    void discard(std::uint64_t seq, std::string_view reason);
    struct popped
    {
        std::uint64_t seq;
        std::string record;
    };
    // Pops up to n oldest items (after pruning). The caller reports their fate once the reply was
    // written (popping is destructive: a failed write loses them, as in CPA).
    std::vector<popped> pop(std::size_t n);
    // via: "pop-http" or "pop-resp".
    void pop_delivered(const std::vector<std::uint64_t>& seqs, std::string_view via);
    // reason: "response-dropped" (fault) or "write-failed".
    void pop_lost(const std::vector<std::uint64_t>& seqs, std::string_view reason);

    // Control payloads ({"refresh":true}) go to usage subscribers only; never queued.
    void publish_control(const std::string& payload);
    // errors channel: delivered to errors subscribers, dropped when there are none.
    void publish_error_event(const std::string& payload);

    void add_subscriber(std::shared_ptr<subscriber_sink> s);
    void remove_subscriber(const subscriber_sink* s);
    void clear_subscribers() { subscribers_.clear(); }
    // Logs "delivered"/"lost" for the items a session wrote or failed to write.
    void subscriber_wrote(const subscriber_sink& s, std::uint64_t seq);
    void subscriber_dropped(const subscriber_sink& s, std::uint64_t seq);

    // A CPA restart: queue emptied (ledger "lost" reason "restart"). Subscribers are closed by the
    // connection registry.
    void restart();

    std::size_t depth() const { return items_.size(); }
    std::size_t subscriber_count(std::string_view channel) const;
    const queue_stats& stats() const { return stats_; }

private:
    struct entry
    {
        std::uint64_t seq;
        std::string record;
        clock::time_point enqueued;
    };
    void prune();

    ledger& ledger_;
    std::chrono::seconds retention_;
    std::deque<entry> items_;
    std::list<std::shared_ptr<subscriber_sink>> subscribers_;
    std::uint64_t next_seq_ = 1;
    queue_stats stats_;
};

} // namespace cpamd::sim
