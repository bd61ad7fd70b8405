#pragma once

// Writes one JSON object field by field the way Go's encoding/json writes a struct: keys in
// declaration order, strings and floats as Go spells them (go_marshal.hpp), and the omitempty
// rules as separate calls. Used where output must match the upstream byte for byte (export lines,
// the /usage payload's details). Keys are our own literals and are not escaped.

#include <cpamd/usage/go_marshal.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cpamd::usage
{

class go_object_writer
{
public:
    // Opens the object ('{') at the end of `out`.
    explicit go_object_writer(std::string& out) : out_(out) { out_.push_back('{'); }
    // Closes it ('}').
    void close() { out_.push_back('}'); }

    // Always written.
    void str(std::string_view key, std::string_view v);
    void num(std::string_view key, std::int64_t v);
    void boolean(std::string_view key, bool v);

    // omitempty: a string when non-empty; a Go *int64 / *float64 when non-NULL (0 included).
    void opt_str(std::string_view key, std::string_view v);
    void opt_num(std::string_view key, const std::optional<std::int64_t>& v);
    void opt_float(std::string_view key, const std::optional<double>& v);
    // omitempty on a Go int64: 0 and NULL both left out.
    void nonzero_num(std::string_view key, const std::optional<std::int64_t>& v);

    // The key, then whatever the caller appends to the returned string (a nested object, raw JSON).
    std::string& raw(std::string_view key);

private:
    void name(std::string_view key);

    std::string& out_;
    bool first_ = true;
};

} // namespace cpamd::usage
