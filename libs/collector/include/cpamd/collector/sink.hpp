#pragma once

// The host's IEventSink: deliver() appends the batch to the spool (fsync on the spool's own
// thread, never an io_context thread) and hands it to the ingest; it never waits for the
// database, so a subscriber keeps reading while SQLite is slow. A failed append closes the
// intake gate (nothing more is taken from CPA until the spool can be written) and counts the
// records it had as lost.

#include <boost/asio/thread_pool.hpp>
#include <cpamd/collector/ingest.hpp>
#include <cpamd/collector/intake_gate.hpp>
#include <cpamd/collector_api/collector.hpp>
#include <functional>

namespace cpamd::collector
{

class spool_sink final : public collector_api::IEventSink
{
public:
    spool_sink(spool& sp, ingest& in, status_board& status, intake_gate* gate = nullptr);
    ~spool_sink();

    boost::asio::awaitable<void> deliver(std::span<const std::string> records, std::string_view via) override;
    void subscribed() override;

    // Called by subscribed(), on the caller's thread. Set before collectors run.
    void on_subscribed(std::function<void()> f) { on_subscribed_ = std::move(f); }

private:
    spool& spool_;
    ingest& ingest_;
    status_board& status_;
    intake_gate* gate_;
    boost::asio::thread_pool disk_{1}; // the spool's fsyncs happen here
    std::function<void()> on_subscribed_;
};

} // namespace cpamd::collector
