#pragma once

// Internal: the network half of the price sync (model_price_sync_route.cpp): which sources are
// configured, CPA's outbound proxy, and one source's fetch.

#include <boost/asio/awaitable.hpp>
#include <cpamd/api/services.hpp>
#include <cpamd/proxy/url_fetch.hpp>
#include <optional>
#include <string>
#include <vector>

namespace cpamd::api::detail
{

struct price_source_url
{
    std::string name; // "models.dev", "litellm", "openrouter"
    std::string url;
};

// The configured sources in priority order, without those set to "off"; `only` keeps one.
std::vector<price_source_url> configured_price_sources(const config& cfg, std::string_view only = {});

// CPA's `proxy-url` (GET /v0/management/config, as the upstream reads it) when a connection is
// resolved. No connection, CPA unreachable or no proxy-url: no proxy, no error (the upstream's
// rule: sync still works directly). A proxy-url cpamd cannot use: `error`.
struct proxy_lookup
{
    std::optional<proxy::outbound_proxy> proxy;
    std::string error;
};
boost::asio::awaitable<proxy_lookup> lookup_cpa_proxy(services* svc);

// GET of one source: its body, or "" and `error` (transport failure or a non-2xx status).
struct source_body
{
    std::string body;
    std::string error;
};
boost::asio::awaitable<source_body>
fetch_price_source(const price_source_url& source, const std::optional<proxy::outbound_proxy>& proxy);

} // namespace cpamd::api::detail
