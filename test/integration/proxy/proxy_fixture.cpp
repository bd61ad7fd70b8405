#include "proxy_fixture.hpp"

#include <boost/json/parse.hpp>
#include <stdexcept>

namespace cpamd::test
{

std::unique_ptr<running_daemon>
start_proxy_daemon(const temp_dir& dir, const std::string& upstream, std::map<std::string, std::string> env)
{
    env.emplace("CPA_UPSTREAM_URL", upstream);
    env.emplace("CPA_MANAGEMENT_KEY", sim_management_key);
    env.emplace("CPA_MANAGER_ADMIN_KEY", proxy_admin_key);
    env.emplace("USAGE_COLLECTOR_MODE", "http");
    return start_daemon(dir, std::move(env));
}

std::map<std::string, std::string> admin_headers()
{
    return {{"Authorization", "Bearer " + proxy_admin_key}};
}

int proxy_client_aborts(running_daemon& d)
{
    auto m = d.client().get("/metrics", admin_headers()).body;
    const std::string key = "cpamd_proxy_errors_total{kind=\"client_abort\"} ";
    auto at = m.find(key);
    return at == std::string::npos ? -1 : std::stoi(m.substr(at + key.size()));
}

boost::json::array sim_requests(sim_process& sim)
{
    auto r = sim.control("GET", "/_sim/last-requests?n=200");
    if (r.status != 200)
        throw std::runtime_error("last-requests: " + std::to_string(r.status) + " " + r.body);
    boost::json::array out;
    auto all = boost::json::parse(r.body);
    for (auto& v : all.as_array())
        if (v.at("target").as_string().find("/usage-queue") == boost::json::string::npos)
            out.push_back(v);
    return out;
}

void clear_sim_requests(sim_process& sim)
{
    sim.control("DELETE", "/_sim/last-requests");
}

std::vector<std::string> header_values(const boost::json::value& request, const std::string& lower_name)
{
    std::vector<std::string> out;
    if (auto* list = request.at("header_map").as_object().if_contains(lower_name))
        for (const auto& v : list->as_array())
            out.emplace_back(v.as_string());
    return out;
}

} // namespace cpamd::test
