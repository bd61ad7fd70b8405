#pragma once

// Go encoding/json output for the few places that must be byte-identical to a Go program:
// the export lines and the legacy request_id derivation (manager-api §5.8). Same escaping as
// cpamd::go_json (libs/core): '<' '>' '&' U+2028 U+2029 as \uXXXX, \n \r \t \b \f, other
// control characters as \u00xx, invalid UTF-8 as \ufffd.

#include <boost/json/value.hpp>
#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>

namespace cpamd::usage
{

// Appends `s` as a quoted Go JSON string.
void append_go_string(std::string& out, std::string_view s);

// Appends an integer in decimal, as Go writes an int64. Inline: it sits in the hot loops of the
// hash input and the /usage payload.
inline void append_go_int(std::string& out, std::int64_t v)
{
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof buf, v);
    out.append(buf, r.ptr);
}

// Appends a float64 as Go's encoding/json does: shortest round-trip digits, plain notation for
// 1e-6 <= |v| < 1e21, else exponent form without a leading zero in the exponent ("1e-7").
// NaN/Inf (Go refuses them) are written as 0.
void append_go_float(std::string& out, double v);

// json.Marshal of the value as Go would marshal the map[string]any it decodes to: object keys
// sorted bytewise (duplicates: last wins), no spaces, Go escaping, integers in decimal, doubles
// per append_go_float.
// Known gap: Go code that decodes with UseNumber writes numbers verbatim; we only have the
// parsed value, so "1.0", "1e3", "-0" or integers beyond 64 bits come out normalized.
std::string go_marshal_sorted(const boost::json::value& v);

} // namespace cpamd::usage
