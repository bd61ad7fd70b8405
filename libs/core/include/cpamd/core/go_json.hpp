#pragma once

// JSON text as Go's encoding/json Encoder writes it, so responses match the upstream byte for
// byte: '<', '>', '&', U+2028 and U+2029 escaped as \u003c etc., numbers as plain decimals (7.3,
// not Boost's 7.3E0), and a trailing newline.

#include <boost/json/value.hpp>
#include <string>

namespace cpamd::go_json
{

// Appends a double as Go writes a float64: the shortest digits that read back the same, plain
// between 1e-6 and 1e21 ("0.25", "100"), else with an exponent ("1e+21", "1e-7").
void append_number(double f, std::string& out);

// Serializes `v` compactly with Go's HTML-safe escaping and appends '\n'.
std::string encode(const boost::json::value& v);

// Applies Go's HTML-safe escaping to already-serialized JSON text (those characters only ever
// occur inside strings, so a plain pass is exact).
void escape_html_in_place(std::string& json_text);

} // namespace cpamd::go_json
