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
