#pragma once

// A decoded RESP2 frame. Arrays own their elements; nesting depth is bounded by the parser.

#include <cstdint>
#include <string>
#include <vector>

namespace cpamd::resp
{

enum class kind
{
    simple_string, // +OK
    error,         // -ERR ...
    integer,       // :42
    bulk_string,   // $3 foo
    null_bulk,     // $-1
    array,         // *N ...
    null_array     // *-1
};

struct value
{
    kind type = kind::null_bulk;
    std::string text;            // simple_string, error, bulk_string
    std::int64_t integer = 0;    // integer
    std::vector<value> elements; // array

    bool is_array() const { return type == kind::array; }
    bool is_string() const { return type == kind::simple_string || type == kind::bulk_string; }
};

// A readable one-line rendering for logs and test failure messages (not RESP).
std::string debug_string(const value& v);

} // namespace cpamd::resp
