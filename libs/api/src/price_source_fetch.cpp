#include "price_source_fetch.hpp"

#include <boost/json/parse.hpp>
#include <cpamd/api/manager_state.hpp>
#include <cpamd/core/ascii.hpp>
#include <cpamd/core/log.hpp>
#include <cpamd/pricing/price_sync.hpp>
#include <cpamd/proxy/cpa_client.hpp>

namespace cpamd::api::detail
{
namespace
{

namespace json = boost::json;
using namespace std::chrono_literals;

constexpr auto source_timeout = 10s; // per source, the whole GET (manager-api §5.10)
constexpr auto proxy_lookup_timeout = 5s;

} // namespace

std::vector<price_source_url> configured_price_sources(const config& cfg, std::string_view only)
{
    std::vector<price_source_url> all = {
        {std::string(pricing::source_models_dev), cfg.prices_models_dev_url},
        {std::string(pricing::source_litellm), cfg.prices_litellm_url},
        {std::string(pricing::source_openrouter), cfg.prices_openrouter_url},
    };
    std::vector<price_source_url> out;
    for (auto& s : all)
        if (s.url != "off" && !s.url.empty() && (only.empty() || only == s.name))
            out.push_back(std::move(s));
    return out;
}

boost::asio::awaitable<proxy_lookup> lookup_cpa_proxy(services* svc)
{
    auto c = svc->state ? svc->state->connection() : std::nullopt;
    if (!c || c->base_url.empty() || c->key.empty())
        co_return proxy_lookup{};
    proxy::cpa_request req;
    req.base_url = c->base_url;
    req.path = "/v0/management/config";
    req.bearer = c->key;
    req.tls_skip_verify = c->tls_skip_verify;
    req.timeout = proxy_lookup_timeout;
    auto r = co_await proxy::call_cpa(std::move(req));
    if (!r.response || r.response->status < 200 || r.response->status >= 300)
    {
        log::warn(
            "price sync: cannot read CPA's proxy-url ({}); fetching directly",
            r.response ? r.response->reason : r.error
        );
        co_return proxy_lookup{};
    }
    boost::system::error_code ec;
    auto v = json::parse(r.response->body, ec);
    const auto* p = !ec && v.is_object() ? v.as_object().if_contains("proxy-url") : nullptr;
    if (!p || !p->is_string() || ascii::trim(p->as_string()).empty())
        co_return proxy_lookup{};
    auto parsed = proxy::parse_proxy_url(ascii::trim(p->as_string()));
    if (!parsed.proxy)
        co_return proxy_lookup{std::nullopt, "CPA proxy-url: " + parsed.error};
    co_return proxy_lookup{std::move(parsed.proxy), {}};
}

boost::asio::awaitable<source_body>
fetch_price_source(const price_source_url& source, const std::optional<proxy::outbound_proxy>& proxy)
{
    proxy::fetch_request req;
    req.url = source.url;
    req.proxy = proxy;
    req.timeout = source_timeout;
    auto r = co_await proxy::fetch_url(std::move(req));
    if (!r.response)
        co_return source_body{{}, r.error};
    if (r.response->status < 200 || r.response->status >= 300)
        co_return source_body{{}, "GET " + source.url + ": " + r.response->reason};
    co_return source_body{std::move(r.response->body), {}};
}

} // namespace cpamd::api::detail
