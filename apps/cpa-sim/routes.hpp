#pragma once

#include "context.hpp"
#include "http_types.hpp"

namespace cpamd::sim
{

// /v0/management/*, /v1/models, /models and CPA's NoRoute 404.
reply handle_cpa_request(sim_context& ctx, const http_request& req, const request_info& info);

// /_sim/* control API (loopback + Bearer control key).
reply handle_control_request(sim_context& ctx, const http_request& req, const request_info& info);

// Splits "/path?query" and reads one query parameter (URL-decoded). `found` tells absent from empty.
std::string query_param(std::string_view target, std::string_view name, bool* found = nullptr);
std::string target_path(std::string_view target);

// A JSON reply with CPA's content type.
reply json_reply(unsigned status, const boost::json::value& body);

} // namespace cpamd::sim
