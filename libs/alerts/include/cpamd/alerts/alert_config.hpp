#pragma once

// The alerts configuration (docs/alerts.md): rules, sinks and delivery settings, as parsed from
// a PUT (validated as a whole), stored in the settings row `alerts_v1` (secrets sealed with the
// data key) and answered (secrets masked).

#include <boost/json/object.hpp>
#include <cpamd/core/api_error.hpp>
#include <cpamd/security/secret_box.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cpamd::alerts
{

inline constexpr std::string_view alerts_setting_key = "alerts_v1";

enum class rule_kind
{
    failure_rate,
    consecutive_failures,
    latency_p95,
    no_events,
    collector_disconnected,
    storage_size,
    budget
};
std::string_view to_string(rule_kind k);

struct rule
{
    std::string id;
    std::string name;
    rule_kind kind = rule_kind::failure_rate;
    bool enabled = true;
    double cooldown_minutes = 60;   // fractions allowed (0.5 = 30 s)
    std::vector<std::string> sinks; // empty: every enabled sink

    // failure_rate: "all" or "credential" (each credential apart); budget: "all", "api_key" or
    // "model".
    std::string scope = "all";
    // failure_rate / consecutive_failures: one credential's auth index ("": every one);
    // latency_p95: one model ("": all traffic); budget: the API key (hash prefix or alias) or
    // the model ("": each one apart).
    std::string match;
    // failure_rate: a fraction (0, 1]; latency_p95: ms; storage_size: MB; budget: USD.
    double threshold = 0;
    int window_minutes = 15;       // failure_rate, latency_p95
    int min_requests = 10;         // failure_rate, latency_p95
    std::vector<int> statuses;     // consecutive_failures
    int count = 3;                 // consecutive_failures
    double minutes = 0;            // no_events, collector_disconnected (fractions allowed)
    std::string file = "database"; // storage_size: "database" or "wal"
    std::string period = "day";    // budget: "day", "week" (from Monday) or "month"
    int warn_percent = 80;         // budget: the warning step (the critical one is 100 %)

    bool operator==(const rule&) const = default;
};

enum class sink_kind
{
    webhook,
    slack,
    telegram,
    ntfy,
    smtp
};
std::string_view to_string(sink_kind k);

struct sink
{
    std::string id;
    std::string name;
    sink_kind kind = sink_kind::webhook;
    bool enabled = true;
    std::string url;                                          // webhook, slack (secret), ntfy
    std::vector<std::pair<std::string, std::string>> headers; // webhook; values secret
    std::string bot_token;                                    // telegram; secret
    std::string chat_id;                                      // telegram
    std::string api_base = "https://api.telegram.org";        // telegram
    std::string token;                                        // ntfy; secret
    std::string host;                                         // smtp
    int port = 587;
    std::string security = "starttls"; // "starttls", "tls" or "none"
    std::string username;
    std::string password; // secret
    std::string from;
    std::vector<std::string> to;

    bool operator==(const sink&) const = default;
};

struct alerts_config
{
    bool enabled = true;
    int evaluate_seconds = 30;
    std::string timezone = "UTC"; // budgets' days, weeks and months
    int timeout_seconds = 10;     // one delivery attempt
    int retries = 3;              // attempts after the first
    std::vector<rule> rules;
    std::vector<sink> sinks;

    const sink* find_sink(std::string_view id) const;
    bool operator==(const alerts_config&) const = default;
};

struct parsed_alerts
{
    std::optional<alerts_config> ok;
    std::optional<api_error> error; // 400 invalid_alerts, naming the field
};

// A submitted configuration. A secret sent back in its masked form (or left out) keeps the one
// `previous` holds for the sink with the same id and kind.
parsed_alerts parse_alerts(const boost::json::value& v, const alerts_config* previous);

// The stored form: secrets sealed with `box`. `open_stored_alerts` opens it again; a secret that
// cannot be opened is an error (500 with the box's message).
std::string serialize_stored_alerts(const alerts_config& c, const security::secret_box& box);
parsed_alerts open_stored_alerts(std::string_view stored, const security::secret_box& box);

// The answered form: secrets masked.
boost::json::object public_alerts(const alerts_config& c);

} // namespace cpamd::alerts
