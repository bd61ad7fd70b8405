#pragma once

// CPA base URLs: the upstream's normalization (spec manager-api §5.4 step 1) and the split into
// the parts a client connects with.

#include <optional>
#include <string>
#include <string_view>

namespace cpamd::proxy
{

// Trims, adds "http://" when there is no "://", strips trailing '/', then a trailing
// "/v0/management", then a trailing "/v0". "" stays "".
std::string normalize_base_url(std::string_view raw);

struct cpa_url
{
    bool tls = false;        // https
    std::string host;        // without brackets for IPv6
    std::string port;        // "80"/"443" when not given
    std::string base_path;   // "" or "/prefix" (no trailing '/')
    std::string host_header; // host[:port] as the Host header carries it
};

// Splits a normalized URL. nullopt for another scheme, an empty host, user info, a bad port, a
// query or a fragment.
std::optional<cpa_url> parse_cpa_url(std::string_view normalized);

} // namespace cpamd::proxy
