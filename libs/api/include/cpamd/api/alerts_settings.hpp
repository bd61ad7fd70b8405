#pragma once

// The alerts configuration in effect (docs/alerts.md): config.json's `alerts` object
// ("file"), else the stored row alerts_v1 ("db"), else an empty one ("default"). Shared by the
// alerts routes, the config routes and the daemon's start.

#include <boost/asio/awaitable.hpp>
#include <cpamd/alerts/alert_config.hpp>
#include <cpamd/api/services.hpp>
#include <optional>
#include <string>

namespace cpamd::api
{

struct current_alerts
{
    alerts::alerts_config config;
    std::string source; // "file", "db" or "default"
    std::optional<api_error> error;
};

current_alerts
resolve_alerts(const config& cfg, const std::optional<std::string>& stored, const security::secret_box& box);
boost::asio::awaitable<current_alerts> read_alerts(services& svc);

// A submitted configuration checked against the one in effect: 409 when config.json manages
// alerts, 400 when invalid, else what to store.
struct alerts_submission
{
    std::optional<alerts::alerts_config> ok;
    std::optional<api_error> error;
};
alerts_submission check_alerts_submission(const current_alerts& current, const boost::json::value& body);

// Stores `c` (the row alerts_v1, secrets sealed) and hands it to the engine.
boost::asio::awaitable<std::optional<api_error>> save_alerts(services& svc, const alerts::alerts_config& c);

} // namespace cpamd::api
