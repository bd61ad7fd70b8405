#pragma once

// The streaming reverse proxy to CPA (spec manager-api §5.13, docs/proxy.md).
//
// A request is relayed as it arrives and the response as CPA sends it: bodies pass through a
// 64 KiB buffer with backpressure both ways, so uploads, log downloads and server-sent events are
// never held whole. Connections to CPA are kept alive in a bounded pool; TLS verifies the
// certificate and the host name (SNI) unless the connection says tlsSkipVerify. A client that
// goes away cancels its upstream request. Which credentials go upstream, and any body edits, are
// the caller's decision (forward_plan).

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <cpamd/http/exchange.hpp>
#include <cpamd/proxy/cpa_url.hpp>
#include <cpamd/proxy/stats.hpp>
#include <cpamd/proxy/upstream_connection.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cpamd::proxy
{

struct proxy_options
{
    std::chrono::seconds connect_timeout{30}; // resolve + TCP connect
    std::chrono::seconds tls_timeout{10};     // the TLS handshake
    std::chrono::seconds idle_timeout{300};   // the longest either side may stay silent mid-request
    std::size_t max_idle_connections = 64;
    std::chrono::seconds pool_idle_ttl{90}; // an idle connection older than this is not reused
    std::vector<std::string> cors_origins;  // CORS on relayed responses, as on local ones
};

// Where requests go, prepared once per CPA connection rather than per request.
struct upstream_target
{
    cpa_url url;
    bool tls_skip_verify = false;
    std::string pool_key; // which pooled connections may serve it
    std::string origin;   // scheme://host[:port], for the plugin-path rewrites
};

// The target for a normalized base URL; null when the URL cannot be used.
std::shared_ptr<const upstream_target> make_upstream_target(std::string_view base_url, bool tls_skip_verify);

struct forward_plan
{
    std::shared_ptr<const upstream_target> upstream; // never null
    // Replaces the caller's Authorization header (the stored CPA key); nullopt forwards the
    // caller's own.
    std::optional<std::string> authorization;
    // Extra headers set on the upstream request (e.g. X-Codex-Invite-Origin).
    std::vector<std::pair<std::string, std::string>> set_headers;
    // Client headers that never reach CPA (e.g. one carrying the admin key).
    std::vector<std::string> drop_headers;
    // Replaces the client's target (path and query) when set.
    std::optional<std::string> target;
    // False: CPA is told only the address cpamd saw, never the client's forwarding chain.
    bool client_chain = true;
    // When set, the request body is read whole (at most edit_body_limit, else 413) and replaced by
    // what this returns. For small JSON bodies with fields to strip or rewrite.
    std::function<std::string(std::string)> edit_body;
    std::uint64_t edit_body_limit = (10u << 20) + (64u << 10);
};

// Nothing was sent to the client yet: the caller answers with this ({"error","code"} JSON).
struct relay_error
{
    unsigned status = 502;
    std::string code = "request_failed";
    std::string message;
};

class reverse_proxy
{
public:
    reverse_proxy(proxy_options options, std::shared_ptr<proxy_stats> stats);

    // Relays the exchange (a streaming route's) to CPA and CPA's answer back. Returns an error
    // when it failed before any byte of a response was written; the caller sends it. A failure
    // after that cuts the client connection (the only honest signal mid-body).
    boost::asio::awaitable<std::optional<relay_error>> relay(http::exchange& ex, forward_plan plan);

    const proxy_options& options() const { return options_; }
    std::size_t idle_connections() const { return pool_.idle_count(); }

private:
    struct opened
    {
        std::unique_ptr<upstream_connection> connection;
        std::optional<relay_error> error;
    };
    boost::asio::awaitable<opened> open(const forward_plan& plan, const std::string& pool_key);
    boost::asio::ssl::context& tls_context(bool verify);

    proxy_options options_;
    std::shared_ptr<proxy_stats> stats_;
    upstream_pool pool_;
    boost::asio::ssl::context verifying_tls_;
    boost::asio::ssl::context trusting_tls_;
};

} // namespace cpamd::proxy
