#pragma once

// Server-side view of a client command: a flat array of arguments. Elements may be bulk strings
// ($-1 reads as ""), simple strings or integers, as CPA's reader accepts; anything else is a
// protocol error.

#include <cpamd/resp/parser.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cpamd::resp
{

using command = std::vector<std::string>;

// Limits suitable for reading commands: flat arrays, 1 MiB per argument, 1024 arguments.
limits command_limits();

enum class command_status
{
    need_more,
    done, // `out` holds the arguments (possibly empty: "*0")
    error // protocol error: the connection should answer "-ERR protocol error" and close
};

// Wraps parser with the command rules above.
class command_reader
{
public:
    explicit command_reader(limits l = command_limits()) : parser_(l) {}

    command_status feed(std::string_view& in, command& out);
    errc error() const { return error_ != errc::none ? error_ : parser_.error(); }
    bool mid_frame() const { return parser_.mid_frame(); }

private:
    parser parser_;
    errc error_ = errc::none;
};

// ASCII lower-case copy (command names are case-insensitive).
std::string to_lower(std::string_view s);

} // namespace cpamd::resp
