#pragma once

// Why a record was not turned into an event. The codes are stable; their messages are the
// reason strings that go into the rejects table (see describe()).

#include <boost/system/error_code.hpp>
#include <string>
#include <type_traits>

namespace cpamd::usage
{

enum class errc
{
    not_an_object = 1,   // the JSON value (after unwrapping a JSON string) is not an object
    control_payload,     // {"refresh":true} / {"support_refresh":true}: not a usage event
    no_usage_fields,     // an object without a single field a usage record can have
    nested_string,       // a JSON string that itself contains a JSON string (only one level unwrapped)
    line_too_long,       // a JSONL line above the import line limit
    empty_payload,       // an import body with nothing but whitespace
    multiple_values,     // a legacy snapshot followed by more JSON values
    no_request_details,  // a legacy snapshot (or summary) without any request details
    detail_not_object,   // legacy: an element of details[] is not an object
    detail_no_timestamp, // legacy: a detail without timestamp|time|created_at|createdAt
    endpoint_not_object, // legacy: apis.<endpoint> is not an object or has no "models" object
    model_not_object,    // legacy: models.<model> is not an object
    not_an_array,        // array import: the payload is not a JSON array
    item_too_long,       // array import: one element above the import item limit
    // Bounds (limits.hpp): the record is refused rather than stored as something else.
    missing_timestamp,        // no timestamp key with a value (upstream would use the clock)
    invalid_timestamp,        // timestamp keys present, none of them a time
    timestamp_out_of_range,   // a time outside 1970-01-01 .. 2261-12-31 (UTC)
    created_at_out_of_range,  // an export's created_at_ms outside the same range
    token_count_out_of_range, // a token counter or cost bucket beyond ±1e9
    latency_out_of_range,     // latency_ms or ttft_ms beyond ±1e9 ms
};

const boost::system::error_category& usage_category() noexcept;

inline boost::system::error_code make_error_code(errc e) noexcept
{
    return {static_cast<int>(e), usage_category()};
}

// A short reason for logs and the rejects table: "<category>: <message>", e.g.
// "usage: record is not a JSON object" or "json: syntax error".
std::string describe(const boost::system::error_code& ec);

} // namespace cpamd::usage

template <>
struct boost::system::is_error_code_enum<cpamd::usage::errc> : std::true_type
{
};
