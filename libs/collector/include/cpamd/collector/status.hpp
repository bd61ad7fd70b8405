#pragma once

// The collector's counters and state for GET /status (spec manager-api §5.3 collector block, plus
// ours). Thread-safe: the supervisor, the sink and the ingest update it; /status reads it.

#include <boost/json/object.hpp>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>

namespace cpamd::collector
{

class status_board
{
public:
    void set_state(std::string state); // stopped | starting | running | error
    void set_run(std::string upstream, std::string mode, std::string queue);
    void set_transport(std::string transport); // the transport records last came from
    void set_connected(std::string transport); // "" when no connection is held
    void set_error(std::string message);       // "" clears
    void clear_error(std::string_view prefix); // clears it if it starts with `prefix` (not empty)
    void add_reconnect();
    void add_consumed(std::uint64_t records);
    void add_stored(std::uint64_t inserted, std::uint64_t skipped, std::uint64_t rejected);
    void add_lost(std::uint64_t records); // taken from CPA but not spooled (the spool append failed)
    void add_unusable();                  // a reply that was kept as one reject (garbage, over a cap)
    void set_spool_depth(std::uint64_t batches);

    std::string state() const;
    std::uint64_t total_inserted() const;
    boost::json::object to_json() const;

private:
    static std::int64_t now_ms();

    mutable std::mutex mutex_;
    std::string state_ = "stopped";
    std::string upstream_, mode_, queue_, transport_, active_, last_error_;
    std::int64_t last_consumed_ms_ = 0, last_inserted_ms_ = 0, connected_since_ms_ = 0;
    std::uint64_t consumed_ = 0, inserted_ = 0, skipped_ = 0, rejected_ = 0, reconnects_ = 0,
                  spool_depth_ = 0, lost_ = 0, unusable_ = 0;
    std::deque<std::pair<std::int64_t, std::uint64_t>> recent_; // (ms, records) over the last 10 s
};

} // namespace cpamd::collector
