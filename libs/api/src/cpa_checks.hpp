#pragma once

// The CPA calls that /setup and PUT /usage-service/config make (spec cpa-usage-queue §5,
// manager-api §5.4, §5.5, §8), with the upstream's error codes and messages.

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cpamd/api/manager_state.hpp>
#include <cpamd/core/api_error.hpp>
#include <optional>
#include <string>

namespace cpamd::api::detail
{

using api::cpa_connection;

struct cpa_config_read
{
    std::optional<api_error> error;
    std::string body; // CPA's config JSON on success
};

// GET {url}/v0/management/config. Non-2xx -> 502 management_api_validation_failed; a transport
// failure -> `transport_status` (502 for /setup, 500 for config saves) with code request_failed.
boost::asio::awaitable<cpa_config_read> fetch_cpa_config(
    cpa_connection c, unsigned transport_status, std::chrono::milliseconds timeout = std::chrono::seconds(30)
);

// The retention rule of spec §8 against CPA's config body.
std::optional<api_error> check_retention(const std::string& cpa_config_body, int poll_interval_ms);

// PUT {url}/v0/management/usage-statistics-enabled {"value":true}; non-2xx -> 502
// enable_cpa_usage_statistics_failed.
boost::asio::awaitable<std::optional<api_error>> enable_usage_statistics(cpa_connection c);

struct cpa_usage
{
    bool statistics_enabled = false;
    long long retention_seconds = 60;
    bool retention_default = false; // the key was absent
};
std::optional<cpa_usage> parse_cpa_usage(const std::string& cpa_config_body);

} // namespace cpamd::api::detail
