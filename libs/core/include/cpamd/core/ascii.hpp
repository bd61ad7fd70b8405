#pragma once

// ASCII-only text helpers, independent of the C locale. For Go's Unicode-aware TrimSpace (keys,
// header values) use cpamd::security::trim_space instead.

#include <string_view>

namespace cpamd::ascii
{

// ' ', \t, \n, \v, \f and \r: what std::isspace accepts in the "C" locale.
constexpr bool is_space(char c) noexcept
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

// `s` without leading and trailing ASCII white space; a view into `s`.
constexpr std::string_view trim(std::string_view s) noexcept
{
    while (!s.empty() && is_space(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && is_space(s.back()))
        s.remove_suffix(1);
    return s;
}

} // namespace cpamd::ascii
