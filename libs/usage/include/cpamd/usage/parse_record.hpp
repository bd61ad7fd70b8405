#pragma once

// Turning one collected or imported record into an event.
//
// Accepted inputs (parse_record dispatches):
//  * a raw CPA usage record of any version (spec cpa-usage-queue §1): fields missing in old
//    versions get defaults, unknown fields are ignored, normalization per manager-api §6.2;
//  * an exported JSONL record (manager-api §5.7 keys, snake_case or camelCase): recognised by a
//    non-empty `event_hash`/`eventHash`, which is kept verbatim;
//  * either of them wrapped in a JSON string (the HTTP usage queue embeds items that were not
//    valid JSON objects as strings; one level is unwrapped).
//
// Failure contract: input-caused problems are returned as error codes (error.hpp, or the
// boost::json code for malformed JSON); nothing throws except std::bad_alloc. Every byte
// sequence is safe to pass: parse_record(std::string_view) is the fuzzing entry point
// (fuzz/fuzz_usage_record.cpp can call it and parse_import_payload from import_formats.hpp).

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <boost/system/result.hpp>
#include <cpamd/usage/error.hpp>
#include <cpamd/usage/event.hpp>
#include <cpamd/usage/timestamp.hpp>
#include <optional>
#include <string_view>

namespace cpamd::usage
{

struct parse_options
{
    // The clock for created_at_ms (when cpamd parsed the record). nullopt = now. A record without
    // a usable timestamp is refused, never given this time (limits.hpp).
    std::optional<utc_time> now;
};

enum class control_kind
{
    none,            // not a control payload
    refresh,         // {"refresh":true}: invalidate cached auth metadata
    support_refresh, // {"support_refresh":true}: first message on a subscription
};

// A control payload is a JSON object with exactly one key, `refresh` or `support_refresh`,
// whose value is `true` (spaces around the object allowed).
control_kind control_payload_kind(std::string_view payload) noexcept;
control_kind control_payload_kind(const boost::json::value& v) noexcept;
inline control_kind control_payload_kind(const char* payload) noexcept
{
    return control_payload_kind(std::string_view(payload));
}
inline bool is_control_payload(std::string_view payload) noexcept
{
    return control_payload_kind(payload) != control_kind::none;
}

// Parses bytes holding a JSON object (or a JSON string holding one). The DOM lives in a
// stack-backed monotonic resource; only the event's own strings are allocated.
// Errors: boost::json codes for malformed JSON, errc::not_an_object, errc::nested_string,
// errc::control_payload, errc::no_usage_fields, and the bounds of limits.hpp:
// errc::missing_timestamp, errc::invalid_timestamp, errc::timestamp_out_of_range,
// errc::created_at_out_of_range, errc::token_count_out_of_range, errc::latency_out_of_range.
boost::system::result<event> parse_record(std::string_view payload, const parse_options& opts = {});

inline boost::system::result<event> parse_record(const char* payload, const parse_options& opts = {})
{
    return parse_record(std::string_view(payload), opts);
}

// The same for an already parsed value (an element of the HTTP queue's JSON array).
boost::system::result<event> parse_record(const boost::json::value& v, const parse_options& opts = {});
boost::system::result<event> parse_record(const boost::json::object& o, const parse_options& opts = {});

// True if `o` is an export record (non-empty string event_hash or eventHash).
bool is_export_record(const boost::json::object& o) noexcept;

// The two parsers behind parse_record, for callers that already know the shape.
boost::system::result<event> parse_raw_record(const boost::json::object& o, const parse_options& opts = {});
boost::system::result<event>
parse_export_record(const boost::json::object& o, const parse_options& opts = {});

} // namespace cpamd::usage
