#pragma once

// Small text helpers for Go-compatible output.

#include <boost/json/value.hpp>
#include <chrono>
#include <string>
#include <string_view>

namespace cpamd::sim
{

// What Go's json.Marshal does to a json.RawMessage: validates it, drops insignificant whitespace
// and HTML-escapes < > &. Returns false (out untouched) when `text` is not valid JSON.
bool compact_json(std::string_view text, std::string& out);

// JSON as gin's c.JSON writes it: compact, HTML-escaped, no trailing newline.
std::string gin_json(const boost::json::value& v);

// Go's time.Duration.String() for whole seconds: "59s", "29m41s", "1h0m0s".
std::string go_duration(long long seconds);

// RFC3339Nano as Go formats it: trailing zeros of the fraction trimmed, "Z" for UTC.
std::string rfc3339_nano(std::chrono::system_clock::time_point t, int offset_minutes);

} // namespace cpamd::sim
