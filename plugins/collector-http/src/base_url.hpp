#pragma once

// The parts of a normalized CPA base URL (http://host:port[/prefix] or https://...).

#include <optional>
#include <string>
#include <string_view>

namespace cpamd::collector_http
{

struct base_url
{
    bool tls = false;
    std::string host; // without brackets for IPv6
    std::string port;
    std::string prefix; // path before /v0/management, no trailing '/'

    // The Host header value (brackets around IPv6, port left out when it is the default).
    std::string host_header() const;
};

// nullopt when the text is not an http(s) URL with a host.
std::optional<base_url> parse_base_url(std::string_view text);

} // namespace cpamd::collector_http
