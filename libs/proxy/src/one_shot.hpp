#pragma once

// Internal: one HTTP/1.1 request on a fresh connection that is closed afterwards, the transport
// behind both fetch_url (public URLs, maybe through an outbound proxy) and call_cpa (CPA's
// management API). Resolve, connect (or tunnel through the proxy), TLS with SNI and, unless
// skipped, certificate and host name checks, write, read: all within one deadline. Failures come
// back as "<what>: <step>: <why>", never as exceptions.

#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/beast/http/verb.hpp>
#include <chrono>
#include <cpamd/proxy/url_fetch.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace cpamd::proxy::detail
{

struct one_shot_request
{
    std::string what; // "GET <url>", the prefix of every error
    http_url url;     // its target in origin-form; made absolute when an HTTP proxy relays plain http
    boost::beast::http::verb method = boost::beast::http::verb::get;
    // Sent in this order after Host, User-Agent: cpamd and Accept: application/json.
    std::vector<std::pair<boost::beast::http::field, std::string>> headers;
    // Then these, by name (a webhook's own headers).
    std::vector<std::pair<std::string, std::string>> named_headers;
    std::string body; // sent with `content_type` when non-empty
    std::string content_type = "application/json";
    std::optional<outbound_proxy> proxy;
    bool tls_skip_verify = false;
    std::uint64_t body_limit = 0;
    std::chrono::milliseconds timeout{}; // the whole exchange
    // Each client keeps the error texts it had before they shared this code: fetch_url says
    // "connect <host>" and "body larger than <limit> bytes", call_cpa "connect" and Beast's
    // "body limit exceeded".
    bool name_connect_host = false;
    bool name_body_limit = false;
};

boost::asio::awaitable<fetch_result> one_shot(one_shot_request request);

} // namespace cpamd::proxy::detail
