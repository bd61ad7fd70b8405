#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <cpamd/analytics/model_usage_summary.hpp>
#include <cpamd/api/model_price_usage_route.hpp>
#include <cpamd/http/reply.hpp>

namespace cpamd::api
{
namespace
{

namespace json = boost::json;
namespace asio = boost::asio;

json::object summary_json(const analytics::model_usage_summary& s)
{
    json::array models;
    models.reserve(s.models.size());
    for (const auto& m : s.models)
        models.push_back(json::object{
            {"model", m.model},
            {"calls", m.calls},
            {"requested_calls", m.requested_calls},
            {"resolved_calls", m.resolved_calls}});
    return json::object{
        {"sampled_events", s.sampled_events},
        {"total_events", s.total_events},
        {"truncated", s.truncated},
        {"models", std::move(models)}};
}

asio::awaitable<http::response> handle_get(services* svc, http::exchange&)
{
    const std::int64_t limit = svc->cfg.query_limit;
    auto summary = co_await svc->db.readers().run([limit](store::connection& c)
                                                  { return analytics::summarize_model_usage(c, limit); });
    co_return http::json_reply(200, summary_json(summary));
}

} // namespace

void add_model_price_usage_route(http::router& r, services& svc)
{
    services* s = &svc;
    r.add(
        {http::bhttp::verb::get},
        "/v0/management/model-prices/usage-summary",
        [s](http::exchange& ex) { return handle_get(s, ex); },
        {.auth = http::auth_level::admin, .name = "model-prices-usage-summary"}
    );
}

} // namespace cpamd::api
