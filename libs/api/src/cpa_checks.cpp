#include "cpa_checks.hpp"

#include <boost/json/parse.hpp>
#include <cpamd/core/log.hpp>
#include <cpamd/proxy/cpa_client.hpp>
#include <fmt/format.h>

namespace cpamd::api::detail
{
namespace
{

namespace json = boost::json;
namespace bhttp = boost::beast::http;

bool ok_status(unsigned s)
{
    return s >= 200 && s < 300;
}

} // namespace

boost::asio::awaitable<cpa_config_read>
fetch_cpa_config(cpa_connection c, unsigned transport_status, std::chrono::milliseconds timeout)
{
    proxy::cpa_request req;
    req.base_url = c.base_url;
    req.path = "/v0/management/config";
    req.bearer = c.key;
    req.tls_skip_verify = c.tls_skip_verify;
    req.timeout = timeout;
    auto r = co_await proxy::call_cpa(std::move(req));
    if (!r.response)
    {
        log::warn("CPA management API unreachable: {}", r.error);
        co_return cpa_config_read{api_error{transport_status, "request_failed", r.error}, {}};
    }
    if (!ok_status(r.response->status))
        co_return cpa_config_read{
            api_error{
                502,
                "management_api_validation_failed",
                fmt::format("management API validation failed: {}", r.response->reason)},
            {}};
    co_return cpa_config_read{std::nullopt, std::move(r.response->body)};
}

std::optional<cpa_usage> parse_cpa_usage(const std::string& body)
{
    boost::system::error_code ec;
    auto v = json::parse(body, ec);
    if (ec || !v.is_object())
        return std::nullopt;
    const auto& o = v.as_object();
    cpa_usage u;
    if (auto it = o.find("usage-statistics-enabled"); it != o.end() && it->value().is_bool())
        u.statistics_enabled = it->value().as_bool();
    auto it = o.find("redis-usage-queue-retention-seconds");
    if (it == o.end() || it->value().is_null())
        u.retention_default = true;
    else if (it->value().is_int64())
        u.retention_seconds = it->value().as_int64();
    else if (it->value().is_uint64())
        u.retention_seconds =
            static_cast<long long>(std::min<std::uint64_t>(it->value().as_uint64(), 1ull << 40));
    else if (it->value().is_double())
        u.retention_seconds = static_cast<long long>(it->value().as_double());
    else
        return std::nullopt;
    return u;
}

std::optional<api_error> check_retention(const std::string& body, int poll_interval_ms)
{
    auto u = parse_cpa_usage(body);
    if (!u)
        return api_error{
            502, "management_api_config_failed", "management API config request failed: invalid JSON"};
    if (u->retention_seconds <= 0)
        return api_error{
            400,
            "cpa_usage_retention_invalid",
            "CPA redis-usage-queue-retention-seconds must be greater than 0"};
    if (static_cast<long long>(poll_interval_ms) > u->retention_seconds * 1000)
        return api_error{
            400,
            "poll_interval_exceeds_retention",
            fmt::format(
                "pollIntervalMs must be less than or equal to CPA redis-usage-queue-retention-seconds ({} "
                "seconds)",
                u->retention_seconds
            )};
    return std::nullopt;
}

boost::asio::awaitable<std::optional<api_error>> enable_usage_statistics(cpa_connection c)
{
    proxy::cpa_request req;
    req.base_url = c.base_url;
    req.method = bhttp::verb::put;
    req.path = "/v0/management/usage-statistics-enabled";
    req.bearer = c.key;
    req.body = R"({"value":true})";
    req.tls_skip_verify = c.tls_skip_verify;
    auto r = co_await proxy::call_cpa(std::move(req));
    if (!r.response)
        co_return api_error{502, "request_failed", r.error};
    if (!ok_status(r.response->status))
        co_return api_error{
            502,
            "enable_cpa_usage_statistics_failed",
            fmt::format("enable CPA usage statistics failed: {}", r.response->reason)};
    co_return std::nullopt;
}

} // namespace cpamd::api::detail
