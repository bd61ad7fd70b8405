#pragma once

// A cpa-sim with traffic, a ledger and the control API, and a cpamd collecting from it over an
// env-managed connection; plus reading the ledger and the database.

#include "setup_fixture.hpp"

#include <set>

namespace cpamd::test
{

inline const std::string admin_key = "cpamp_collectortestadminkey0123456";

struct ledger_counts
{
    std::set<std::uint64_t> produced, delivered, lost, expired;
};

// Reads the ledger written so far.
ledger_counts read_ledger(const std::filesystem::path& file);

// A cpa-sim with usage statistics on (it produces traffic), and a wait for its queue to drain.
class traffic_sim : public sim_process
{
public:
    explicit traffic_sim(std::vector<std::string> extra);
    // Waits until the generator is done and the queue is empty.
    bool wait_drained(std::chrono::milliseconds timeout);
};

std::map<std::string, std::string> collector_env(const traffic_sim& sim, const std::string& mode = "http");

// The whole /status object, and its "collector" object.
boost::json::object daemon_status(running_daemon& d);
boost::json::object collector_status(running_daemon& d);
// A string field of an object ("" when absent or not a string).
std::string string_field(const boost::json::object& o, std::string_view key);
// Polls /status until its collector `field` is the string `value` (or the timeout).
bool wait_for_collector(
    running_daemon& d, const std::string& field, const std::string& value, std::chrono::milliseconds timeout
);

std::int64_t count_rows(const std::filesystem::path& db, const std::string& table);
// One integer from a read-only query (0 when the file or the row is missing).
std::int64_t query_int(const std::filesystem::path& db, const std::string& sql);
// Polls until the database holds `n` events (or the timeout). Returns the last count.
std::int64_t
wait_for_events(const std::filesystem::path& db, std::int64_t n, std::chrono::milliseconds timeout);

} // namespace cpamd::test
