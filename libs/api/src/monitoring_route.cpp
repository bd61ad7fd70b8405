#include "monitoring_json.hpp"
#include "monitoring_request.hpp"
#include "settings_io.hpp"

#include <boost/json/value.hpp>
#include <cpamd/analytics/monitoring_analytics.hpp>
#include <cpamd/api/monitoring_route.hpp>
#include <cpamd/http/reply.hpp>
#include <variant>

namespace cpamd::api
{
namespace
{

namespace asio = boost::asio;

// The router's default, stated: a query body is small (500 values per filter list at most).
constexpr std::uint64_t body_limit = 1 << 20;

asio::awaitable<http::response> handle_post(services* svc, http::exchange& ex)
{
    const auto clock_ms = detail::now_ms();
    auto parsed = detail::parse_monitoring_request(ex.body(), clock_ms);
    if (auto* e = std::get_if<api_error>(&parsed))
        co_return http::error_reply(*e);
    const auto q = std::get<analytics::monitoring_query>(std::move(parsed));
    // The JSON is built on the reader thread too: an events page of 50,000 rows takes a while,
    // and the io thread serves every other connection. A json::value, not the object: json_reply
    // takes a value, and converting there would copy it all.
    auto job = [&q, clock_ms](store::connection& c)
    { return boost::json::value(detail::monitoring_json(analytics::run_monitoring(c, q), clock_ms)); };
    auto body = co_await svc->db.readers().run(std::move(job));
    co_return http::json_reply(200, body);
}

} // namespace

void add_monitoring_routes(http::router& r, services& svc)
{
    services* s = &svc;
    r.add(
        {http::bhttp::verb::post},
        "/v0/management/monitoring/analytics",
        [s](http::exchange& ex) { return handle_post(s, ex); },
        {.body_limit = body_limit, .auth = http::auth_level::admin, .name = "monitoring-analytics"}
    );
    add_monitoring_account_routes(r, svc);
}

} // namespace cpamd::api
