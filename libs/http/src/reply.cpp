#include <cpamd/core/go_json.hpp>
#include <cpamd/http/reply.hpp>
#include <fmt/format.h>

namespace cpamd::http
{

response json_reply(unsigned status, const boost::json::value& body)
{
    response res{static_cast<bhttp::status>(status), 11};
    res.set(bhttp::field::content_type, "application/json");
    res.body() = go_json::encode(body);
    return res;
}

response error_reply(const api_error& e)
{
    response res{static_cast<bhttp::status>(e.status), 11};
    res.set(bhttp::field::content_type, "application/json");
    res.body() = e.body();
    return res;
}

response error_reply(unsigned status, std::string code, std::string message)
{
    return error_reply(api_error{status, std::move(code), std::move(message)});
}

response text_reply(unsigned status, std::string body, std::string_view content_type)
{
    response res{static_cast<bhttp::status>(status), 11};
    res.set(bhttp::field::content_type, content_type);
    res.body() = std::move(body);
    return res;
}

response empty_reply(unsigned status)
{
    return response{static_cast<bhttp::status>(status), 11};
}

// Upstream answers an unknown path with Go's text/plain "404 page not found"; we keep the text
// but send it as our JSON error shape so scripts can parse every error the same way.
response not_found_reply()
{
    return error_reply(404, "not_found", "404 page not found");
}
response method_not_allowed_reply()
{
    return error_reply(405, "method_not_allowed", "method not allowed");
}
response bad_request_reply(std::string message)
{
    return error_reply(400, "bad_request", std::move(message));
}
response header_too_large_reply()
{
    return error_reply(431, "header_too_large", "request header fields too large");
}
response body_too_large_reply(std::uint64_t limit)
{
    return error_reply(413, "body_too_large", fmt::format("request body too large (limit {} bytes)", limit));
}
response too_many_connections_reply()
{
    auto res = error_reply(503, "too_many_connections", "too many connections, try again later");
    res.set(bhttp::field::retry_after, "1");
    return res;
}
response internal_error_reply()
{
    return error_reply(500, "internal_error", "internal server error");
}

} // namespace cpamd::http
