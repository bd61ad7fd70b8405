#pragma once

// CORS as the upstream (spec manager-api §1): only when origins are configured; "*" allows any
// origin, otherwise an exact match is echoed. With a list, every answer says Vary: Origin (the
// upstream only says it on a match, which lets a shared cache serve one origin's answer to another).

#include <cpamd/http/types.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace cpamd::http
{

// The CORS headers one response gets. Each one set replaces any the response had.
struct cors_headers
{
    static constexpr std::string_view allow_methods = "GET, POST, PUT, PATCH, DELETE, OPTIONS";
    static constexpr std::string_view allow_headers = "Authorization, Content-Type";

    bool any = false;              // false: CORS is off, nothing is set
    std::string_view allow_origin; // empty: Access-Control-Allow-Origin is not set
    bool vary_origin = false;      // Vary: Origin
};

// What `allowed` grants a request from `request_origin` (views into both).
cors_headers cors_for(std::string_view request_origin, const std::vector<std::string>& allowed);

// Works on any message's fields (buffered replies and streamed ones).
void apply_cors(bhttp::fields& res, std::string_view request_origin, const std::vector<std::string>& allowed);

} // namespace cpamd::http
