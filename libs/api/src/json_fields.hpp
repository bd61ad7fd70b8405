#pragma once

// Typed reads of a JSON request body's fields, each failure naming the field by its dotted path
// ("include.events_page.limit"): the route turns bad_field into 400 {"error","code"} with code
// "invalid_<path>". Null is the same as an absent key, as Go's decoder reads it.

#include <algorithm>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cmath>
#include <cstdint>
#include <fmt/format.h>
#include <initializer_list>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cpamd::api::detail
{

namespace json = boost::json;

inline constexpr std::int64_t int64_max = std::numeric_limits<std::int64_t>::max();
// Doubles are integers only up to 2^53; beyond, "1e17" is not an exact count of anything.
inline constexpr double max_exact_double = 9'007'199'254'740'992.0;

// Thrown by the readers below and caught once, so each field is read in one line.
struct bad_field
{
    std::string path;    // the code is invalid_<path>
    std::string message; // names the path
};

// The fields of one JSON object, named by their dotted path ("include.events_page.limit").
class fields
{
public:
    fields(const json::object& o, std::string prefix) : object_(o), prefix_(std::move(prefix)) {}

    std::string path(std::string_view key) const
    {
        return prefix_.empty() ? std::string(key) : prefix_ + "." + std::string(key);
    }

    [[noreturn]] void fail(std::string_view key, std::string_view what) const
    {
        throw bad_field{path(key), path(key) + " " + std::string(what)};
    }

    // nullptr when absent or null: Go's decoder leaves a field untouched for both.
    const json::value* get(std::string_view key) const
    {
        const auto* v = object_.if_contains(key);
        return v && !v->is_null() ? v : nullptr;
    }

    // JSON numbers that are whole, within [lo, hi]; nullopt when absent.
    std::optional<std::int64_t> integer(std::string_view key, std::int64_t lo, std::int64_t hi) const
    {
        const auto* v = get(key);
        if (!v)
            return std::nullopt;
        std::optional<std::int64_t> out;
        if (v->is_int64())
            out = v->get_int64();
        else if (v->is_double() && std::trunc(v->get_double()) == v->get_double() && std::fabs(v->get_double()) <= max_exact_double)
            out = static_cast<std::int64_t>(v->get_double());
        else if (!v->is_uint64()) // a uint64 here is above int64's range: out of range below
            fail(key, "must be an integer");
        if (!out || *out < lo || *out > hi)
            fail(key, fmt::format("must be an integer between {} and {}", lo, hi));
        return out;
    }

    bool boolean(std::string_view key, bool fallback) const
    {
        const auto* v = get(key);
        if (!v)
            return fallback;
        if (!v->is_bool())
            fail(key, "must be a boolean");
        return v->get_bool();
    }

    std::string text(std::string_view key, std::size_t max_bytes) const
    {
        const auto* v = get(key);
        if (!v)
            return {};
        if (!v->is_string())
            fail(key, "must be a string");
        if (v->get_string().size() > max_bytes)
            fail(key, fmt::format("must be at most {} bytes", max_bytes));
        return std::string(v->get_string());
    }

    // One of `allowed` ("" when absent).
    std::string choice(std::string_view key, std::initializer_list<std::string_view> allowed) const
    {
        auto s = text(key, 64);
        for (auto a : allowed)
            if (s == a)
                return s;
        fail(key, fmt::format("must be one of \"{}\"", fmt::join(allowed, "\", \"")));
    }

    // At most max_values strings.
    std::vector<std::string> strings(std::string_view key, std::size_t max_values) const
    {
        const auto* v = get(key);
        if (!v)
            return {};
        if (!v->is_array())
            fail(key, "must be an array of strings");
        const auto& a = v->get_array();
        if (a.size() > max_values)
            fail(key, fmt::format("must have at most {} values", max_values));
        std::vector<std::string> out;
        out.reserve(a.size());
        for (std::size_t i = 0; i < a.size(); ++i)
        {
            if (!a[i].is_string())
                throw bad_field{path(key), fmt::format("{}[{}] must be a string", path(key), i)};
            out.emplace_back(a[i].get_string());
        }
        return out;
    }

    // Refuses a key not in `known` (for bodies whose unknown fields are an error).
    void only(std::initializer_list<std::string_view> known) const
    {
        for (const auto& [key, value] : object_)
            if (std::find(known.begin(), known.end(), std::string_view(key)) == known.end())
                throw bad_field{path(key), path(key) + " is not a known field"};
    }

    const json::object& raw() const { return object_; }

    std::optional<fields> object(std::string_view key) const
    {
        const auto* v = get(key);
        if (!v)
            return std::nullopt;
        if (!v->is_object())
            fail(key, "must be an object");
        return fields(v->get_object(), path(key));
    }

private:
    const json::object& object_;
    std::string prefix_;
};

} // namespace cpamd::api::detail
