#include <algorithm>
#include <cpamd/http/cors.hpp>

namespace cpamd::http
{

void apply_cors(bhttp::fields& res, std::string_view request_origin, const std::vector<std::string>& allowed)
{
    if (allowed.empty())
        return;
    if (std::find(allowed.begin(), allowed.end(), "*") != allowed.end())
        res.set(bhttp::field::access_control_allow_origin, "*");
    else if (!request_origin.empty() && std::find(allowed.begin(), allowed.end(), request_origin) != allowed.end())
    {
        res.set(bhttp::field::access_control_allow_origin, request_origin);
        res.set(bhttp::field::vary, "Origin");
    }
    res.set(bhttp::field::access_control_allow_methods, "GET, POST, PUT, PATCH, DELETE, OPTIONS");
    res.set(bhttp::field::access_control_allow_headers, "Authorization, Content-Type");
}

} // namespace cpamd::http
