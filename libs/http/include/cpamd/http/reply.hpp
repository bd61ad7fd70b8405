#pragma once

// Ready-made responses. JSON bodies are Go-encoded (see cpamd/core/go_json.hpp) so they match the
// upstream byte for byte; errors are {"error","code"} as in spec manager-api §1.

#include <boost/json/value.hpp>
#include <cpamd/core/api_error.hpp>
#include <cpamd/http/types.hpp>
#include <string>
#include <string_view>

namespace cpamd::http
{

response json_reply(unsigned status, const boost::json::value& body);
response error_reply(const api_error& e);
response error_reply(unsigned status, std::string code, std::string message);
response
text_reply(unsigned status, std::string body, std::string_view content_type = "text/plain; charset=utf-8");
response empty_reply(unsigned status);

// The fixed error replies of the server itself.
response not_found_reply();
response method_not_allowed_reply();
response bad_request_reply(std::string message = "malformed HTTP request");
response header_too_large_reply();
response body_too_large_reply(std::uint64_t limit);
response too_many_connections_reply();
response internal_error_reply();

} // namespace cpamd::http
