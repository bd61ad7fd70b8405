#include <boost/json/object.hpp>
#include <cpamd/api/admin_auth.hpp>
#include <cpamd/api/manager_state.hpp>
#include <cpamd/api/policy_routes.hpp>
#include <cpamd/http/reply.hpp>

namespace cpamd::api
{
namespace
{

namespace json = boost::json;
namespace asio = boost::asio;

json::object switch_state(std::string_view env_key, std::string_view file_key, std::string_view depends_on)
{
    return json::object{
        {"enabled", false},
        {"configured", false},
        {"source", "startup"},
        {"locked", false},
        {"envKey", env_key},
        {"configFileKey", file_key},
        {"dependsOn", depends_on}};
}

asio::awaitable<http::response> handle_get(services* svc, http::exchange& ex)
{
    if (svc->state->connection_resolved())
        if (auto denied = svc->auth->check(ex))
            co_return std::move(*denied);
    co_return http::json_reply(
        200,
        json::object{
            {"source", "startup"},
            {"updatedAtMs", 0},
            {"codexQuotaCooldown",
             switch_state("USAGE_QUOTA_COOLDOWN_ENABLED", "codexQuotaCooldownEnabled", "")},
            {"authIssueQueue", switch_state("USAGE_ACCOUNT_ACTIONS_ENABLED", "authIssueQueueEnabled", "")},
            {"authIssueAutoDisable",
             switch_state(
                 "USAGE_ACCOUNT_ACTIONS_AUTO_DISABLE", "authIssueAutoDisableEnabled", "authIssueQueue"
             )}}
    );
}

asio::awaitable<http::response> handle_patch(http::exchange&)
{
    co_return http::error_reply(
        501, "not_implemented", "account processing automation is not implemented by cpamd"
    );
}

} // namespace

void add_policy_routes(http::router& r, services& svc)
{
    services* s = &svc;
    r.add(
        {http::bhttp::verb::get},
        "/usage-service/account-processing-policy",
        [s](http::exchange& ex) { return handle_get(s, ex); },
        {.name = "policy-get"}
    );
    r.add(
        {http::bhttp::verb::patch},
        "/usage-service/account-processing-policy",
        handle_patch,
        {.auth = http::auth_level::admin, .name = "policy-patch"}
    );
}

} // namespace cpamd::api
