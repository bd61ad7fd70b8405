#pragma once

// Bearer token extraction (spec manager-api §1): only the Authorization header counts (no
// cookies, no query parameters). The value is trimmed, must start with "Bearer " in any letter
// case, and the rest is trimmed again. Trimming is Go's strings.TrimSpace (see text.hpp).

#include <string_view>

namespace cpamd::security
{

// The token in an Authorization header value, or an empty view when there is none (no header,
// another scheme, or "Bearer" with nothing after it). The result views `authorization`.
// With several Authorization headers, pass the first (Go's Header.Get).
std::string_view extract_bearer_token(std::string_view authorization) noexcept;

} // namespace cpamd::security
