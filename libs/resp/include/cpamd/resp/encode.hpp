#pragma once

// RESP2 encoders. Each appends to `out` so a reply made of several frames costs one buffer.

#include <cpamd/resp/value.hpp>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

namespace cpamd::resp
{

void append_simple(std::string& out, std::string_view s);  // +s\r\n (s must not contain CR/LF)
void append_error(std::string& out, std::string_view s);   // -s\r\n
void append_integer(std::string& out, std::int64_t n);     // :n\r\n
void append_bulk(std::string& out, std::string_view s);    // $len\r\ns\r\n
void append_null_bulk(std::string& out);                   // $-1\r\n
void append_array_header(std::string& out, std::size_t n); // *n\r\n
void append_value(std::string& out, const value& v);       // any decoded value, re-encoded

// A client command as an array of bulk strings.
std::string encode_command(std::initializer_list<std::string_view> args);
// A Pub/Sub message frame: *3 $7 message <channel> <payload>.
std::string encode_message(std::string_view channel, std::string_view payload);

} // namespace cpamd::resp
