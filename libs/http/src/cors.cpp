#include <algorithm>
#include <cpamd/http/cors.hpp>

namespace cpamd::http
{

cors_headers cors_for(std::string_view request_origin, const std::vector<std::string>& allowed)
{
    cors_headers h;
    if (allowed.empty())
        return h;
    h.any = true;
    if (std::find(allowed.begin(), allowed.end(), "*") != allowed.end())
    {
        h.allow_origin = "*";
        return h;
    }
    // The answer depends on the Origin whether or not it matched: a cache must not hand one
    // origin's answer to another.
    h.vary_origin = true;
    if (!request_origin.empty() && std::find(allowed.begin(), allowed.end(), request_origin) != allowed.end())
        h.allow_origin = request_origin;
    return h;
}

void apply_cors(bhttp::fields& res, std::string_view request_origin, const std::vector<std::string>& allowed)
{
    const auto cors = cors_for(request_origin, allowed);
    if (!cors.any)
        return;
    if (!cors.allow_origin.empty())
        res.set(bhttp::field::access_control_allow_origin, cors.allow_origin);
    if (cors.vary_origin)
        res.set(bhttp::field::vary, "Origin");
    res.set(bhttp::field::access_control_allow_methods, cors_headers::allow_methods);
    res.set(bhttp::field::access_control_allow_headers, cors_headers::allow_headers);
}

} // namespace cpamd::http
