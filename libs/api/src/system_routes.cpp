#include <boost/json/object.hpp>
#include <cpamd/api/system_routes.hpp>
#include <cpamd/core/version.hpp>
#include <cpamd/http/reply.hpp>
#include <memory>

namespace cpamd::api
{
namespace
{

// `service` must stay "cpa-manager-plus": the panel switches to manager mode on it.
http::response health_reply()
{
    boost::json::object o;
    o["ok"] = true;
    o["service"] = "cpa-manager-plus";
    o["implementation"] = implementation;
    o["version"] = version;
    return http::json_reply(200, o);
}

http::response info_reply(const system_info& info)
{
    service_state s = info.state ? info.state() : service_state{};
    boost::json::object o;
    o["service"] = "cpa-manager-plus";
    o["mode"] = "embedded";
    o["startedAt"] = info.started_at_ms;
    o["configured"] = s.configured;
    o["adminReady"] = s.admin_ready;
    o["projectInitialized"] = s.project_initialized;
    o["setupRequired"] = s.admin_ready && !s.project_initialized;
    if (s.migration_status)
        o["migrationStatus"] = *s.migration_status;
    o["dataKeyReady"] = s.data_key_ready;
    o["hasHistoricalData"] = s.has_historical_data;
    o["implementation"] = implementation;
    o["version"] = version;
    return http::json_reply(200, o);
}

http::asio::awaitable<http::response> handle_health(http::exchange&)
{
    co_return health_reply();
}

http::asio::awaitable<http::response> handle_info(std::shared_ptr<const system_info> info, http::exchange&)
{
    co_return info_reply(*info);
}

} // namespace

void add_system_routes(http::router& r, system_info info)
{
    auto shared = std::make_shared<const system_info>(std::move(info));
    r.add({http::bhttp::verb::get}, "/health", [](http::exchange& ex) { return handle_health(ex); });
    r.add(
        {http::bhttp::verb::get},
        "/usage-service/info",
        [shared](http::exchange& ex) { return handle_info(shared, ex); }
    );
}

} // namespace cpamd::api
