#pragma once

// Small text helpers whose exact behaviour matters for compatibility with the upstream (Go)
// Manager Server: keys and header values are trimmed exactly as Go's strings.TrimSpace does.

#include <string_view>

namespace cpamd::security
{

// Go's strings.TrimSpace: strips leading and trailing Unicode White_Space (ASCII \t \n \v \f \r
// and space, plus U+0085, U+00A0, U+1680, U+2000-U+200A, U+2028, U+2029, U+202F, U+205F, U+3000
// when validly UTF-8 encoded). Invalid UTF-8 is never stripped. Returns a view into `s`.
std::string_view trim_space(std::string_view s) noexcept;

// ASCII-only case-insensitive equality (no locale).
bool iequals_ascii(std::string_view a, std::string_view b) noexcept;

} // namespace cpamd::security
