#pragma once

// CORS exactly as the upstream (spec manager-api §1): only when origins are configured; "*"
// allows any origin, otherwise an exact match is echoed with Vary: Origin.

#include <cpamd/http/types.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace cpamd::http
{

// Works on any message's fields (buffered replies and streamed ones such as the proxy's).
void apply_cors(bhttp::fields& res, std::string_view request_origin, const std::vector<std::string>& allowed);

} // namespace cpamd::http
