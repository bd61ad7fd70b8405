#pragma once

// The value of a known field in a parsed header. Beast's operator[](field) turns the code back
// into its name and searches its tree with case-insensitive string comparisons (about 250
// instructions in the proxy's profile); a parsed header has a handful of fields, each tagged
// with its code, so a scan comparing codes costs a few instructions a field.

#include <boost/beast/http/fields.hpp>
#include <string_view>

namespace cpamd::http
{

// The first `code` field's value, in the order received; "" when there is none. `code` must be
// a known field (not field::unknown).
inline std::string_view field_value(const boost::beast::http::fields& fields, boost::beast::http::field code)
{
    for (const auto& f : fields)
        if (f.name() == code)
            return {f.value().data(), f.value().size()};
    return {};
}

// True when `pred` holds for one of the comma-separated tokens of a list-valued field
// (Connection, Transfer-Encoding), each trimmed of spaces and tabs; empty tokens are skipped.
template <class Pred>
bool any_list_token(std::string_view list, Pred pred)
{
    while (!list.empty())
    {
        const auto comma = list.find(',');
        auto token = list.substr(0, comma);
        while (!token.empty() && (token.front() == ' ' || token.front() == '\t'))
            token.remove_prefix(1);
        while (!token.empty() && (token.back() == ' ' || token.back() == '\t'))
            token.remove_suffix(1);
        if (!token.empty() && pred(token))
            return true;
        if (comma == std::string_view::npos)
            break;
        list.remove_prefix(comma + 1);
    }
    return false;
}

} // namespace cpamd::http
