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

} // namespace cpamd::http
