#pragma once

// Which rules hold now: each enabled rule read against the usage window, the collector's state
// and the database files' sizes. One condition per rule and subject that holds (a credential, a
// model, an API key, or the whole daemon).

#include <cpamd/alerts/alert_config.hpp>
#include <cpamd/alerts/usage_window.hpp>
#include <cpamd/store/sqlite.hpp>
#include <cstdint>
#include <string>
#include <vector>

namespace cpamd::alerts
{

struct daemon_facts
{
    std::int64_t now_ms = 0;
    bool collector_enabled = false;         // a connection is configured and collection is on
    std::int64_t connected_since_ms = 0;    // 0: not connected now
    std::int64_t disconnected_since_ms = 0; // 0: connected (or not enabled)
    std::int64_t last_inserted_ms = 0;      // the collector's newest insert (0: none since start)
    std::int64_t watching_since_ms = 0;     // when the engine started
    std::string collector_error;            // the collector's last error, for the message
    std::uint64_t database_bytes = 0, wal_bytes = 0;
};

struct condition
{
    std::string subject; // "all", an auth index, a model, an API key's hash prefix (and alias)
    std::string level;   // "warning" or "critical"
    double value = 0, threshold = 0;
    std::string message;
};

struct rule_result
{
    const rule* source = nullptr;
    bool evaluated = false; // false: no data yet (the window is still being read)
    std::vector<condition> holding;
};

// Reads names (models, credentials, key hashes, aliases) from `db`.
std::vector<rule_result> evaluate_rules(
    const alerts_config& config, const usage_window& window, store::connection& db, const daemon_facts& facts
);

} // namespace cpamd::alerts
