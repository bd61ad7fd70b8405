#pragma once

// Where a RESP transport dials: the host and port of collector_settings::base_url (CPA serves RESP on
// its main API port, next to HTTP), and whether to wrap the connection in TLS.

#include <optional>
#include <string>
#include <string_view>

namespace cpamd::collectors
{

struct resp_endpoint
{
    std::string host; // name or IP literal, without IPv6 brackets
    std::string port; // decimal; 80 for http and 443 for https when the URL has none
    bool tls = false; // https
};

// Parses "http://host[:port][/path]" or "https://..." (no scheme means http, as CPA Manager Plus does).
// The path is ignored. Returns nullopt for anything else.
std::optional<resp_endpoint> parse_endpoint(std::string_view base_url);

} // namespace cpamd::collectors
