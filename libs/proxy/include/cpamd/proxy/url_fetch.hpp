#pragma once

// One GET (or POST) of a public http(s) URL, optionally through an outbound proxy: what the price sync uses
// to read models.dev, LiteLLM and OpenRouter (manager-api §5.10), through CPA's `proxy-url` when
// CPA has one. Certificates are verified against the system store with SNI and a host name check
// (as cpa_client.hpp). Runs on the caller's executor; never throws for network failures.
//
// Proxies: "http://[user:pass@]host:port" (absolute-form requests for http targets, CONNECT for
// https), "socks5://" (the proxy gets an address resolved here) and "socks5h://" (the proxy
// resolves the name), both with optional user:pass (RFC 1929). Other schemes are refused with a
// clear error. Redirects are not followed.

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cpamd::proxy
{

struct http_url
{
    bool tls = false;
    std::string host;        // without brackets for IPv6
    std::string port;        // "80"/"443" when not given
    std::string target;      // path and query, "/" at least
    std::string host_header; // host[:port], as the Host header carries it
};

// http:// or https:// URLs only; nullopt for anything else, user info or a bad port.
std::optional<http_url> parse_http_url(std::string_view url);

struct outbound_proxy
{
    enum class kind
    {
        http,
        socks5,
        socks5h
    } type = kind::http;
    std::string host;
    std::string port;
    std::string user; // secret with password; never logged
    std::string password;
};

// "" in `error` and a proxy, or the reason the URL is unusable (named without credentials).
struct proxy_parse
{
    std::optional<outbound_proxy> proxy;
    std::string error;
};
proxy_parse parse_proxy_url(std::string_view url);

struct fetch_request
{
    std::string url;
    // GET by default; a POST sends `body` as `content_type` with `headers` (the alerts' sinks).
    bool post = false;
    std::string body;
    std::string content_type = "application/json";
    std::vector<std::pair<std::string, std::string>> headers;
    std::optional<outbound_proxy> proxy;
    std::chrono::milliseconds timeout{std::chrono::seconds(10)}; // the whole exchange
    std::uint64_t body_limit = std::uint64_t{64} << 20;
};

struct fetch_response
{
    unsigned status = 0;
    std::string reason; // "404 Not Found"
    std::string body;
};

// A response (any status) or the failure, e.g. "GET https://models.dev/catalog.json: connect
// models.dev: Connection refused" or "...: read response: body larger than 67108864 bytes".
struct fetch_result
{
    std::optional<fetch_response> response;
    std::string error;
};

boost::asio::awaitable<fetch_result> fetch_url(fetch_request request);

} // namespace cpamd::proxy
