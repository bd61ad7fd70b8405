#pragma once

// From the spool to the database: one consumer coroutine takes the spooled batches in order,
// parses them (control payloads skipped, unparseable records kept as rejects with their raw
// bytes, origin "collector:<via>"), writes them through the single writer and trims the spool
// after the commit. A failed transaction is retried: a batch leaves the spool only once stored.
// Collectors never wait for this: they wait only for the spool's fsync (sink.hpp).
// A batch whose via ends in ":rejected" is one unusable reply a transport kept as a reject
// (records: reason, payload, original size, SHA-256 hex; docs/collector.md "Bounds").

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <cpamd/collector/spool.hpp>
#include <cpamd/collector/status.hpp>
#include <cpamd/store/event_writer.hpp>
#include <deque>
#include <mutex>

namespace cpamd::collector
{

class ingest
{
public:
    ingest(boost::asio::any_io_executor ex, spool& sp, store::event_writer& writer, status_board& status);

    // Any thread.
    void push(spooled_batch b);
    // Any thread: run() returns once everything pushed so far is stored.
    void request_stop();
    // Any thread: a failed write waiting for its retry is retried now (the disk has room again).
    void retry_now();

    // The consumer; co_spawn it once (it runs on its own strand).
    boost::asio::awaitable<void> run();

    std::size_t queued() const;
    // Bytes of records pushed but not yet stored: they are held in memory until then.
    std::uint64_t backlog_bytes() const { return backlog_bytes_.load(); }

private:
    boost::asio::awaitable<void> consume();
    void wake();

    boost::asio::strand<boost::asio::any_io_executor> strand_;
    spool& spool_;
    store::event_writer& writer_;
    status_board& status_;
    boost::asio::steady_timer wake_;  // parked at max; cancelled when there is work or a stop
    boost::asio::steady_timer retry_; // a failed write's backoff; cancelled by retry_now()
    std::atomic<std::uint64_t> backlog_bytes_{0};

    mutable std::mutex mutex_;
    std::deque<spooled_batch> pending_;
    bool stopping_ = false;
};

} // namespace cpamd::collector
