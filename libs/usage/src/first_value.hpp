#pragma once

// Internal: what the first JSON value of an import body starting with '{' is, found without
// building it. A legacy snapshot is one value that may be as large as the body; a record must fit
// the line limit like every JSONL line. Knowing which before the DOM is built keeps an oversized
// record from costing its size again in memory.

#include <cstddef>
#include <string_view>

namespace cpamd::usage::detail
{

struct first_value_info
{
    bool complete = false;     // one whole JSON value was read (false: malformed or cut short)
    std::size_t size = 0;      // its bytes, without whitespace after it
    std::size_t consumed = 0;  // what the parser consumed (size, maybe whitespace after it)
    bool maybe_legacy = false; // it has a key legacy_format_of() looks for, where it looks
};

// Reads the value at the start of `text` with Boost.JSON's default limits (depth 32).
first_value_info scan_first_value(std::string_view text);

} // namespace cpamd::usage::detail
