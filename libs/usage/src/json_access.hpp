#pragma once

// Internal: tolerant field access on records of any CPA version and hand-written imports.

#include <array>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string_view>

namespace cpamd::usage::detail
{

inline std::string_view trim(std::string_view s) noexcept
{
    auto sp = [](char c)
    { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; };
    while (!s.empty() && sp(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && sp(s.back()))
        s.remove_suffix(1);
    return s;
}

inline const boost::json::value* find(const boost::json::object& o, std::string_view key) noexcept
{
    auto it = o.find(key);
    return it == o.end() ? nullptr : &it->value();
}

// The first of `keys` whose value is present and not null.
inline const boost::json::value*
find_any(const boost::json::object& o, std::initializer_list<std::string_view> keys) noexcept
{
    for (auto k : keys)
        if (const auto* v = find(o, k); v != nullptr && !v->is_null())
            return v;
    return nullptr;
}

inline const boost::json::object* find_object(const boost::json::object& o, std::string_view key) noexcept
{
    const auto* v = find(o, key);
    return v != nullptr ? v->if_object() : nullptr;
}

// The first of `keys` holding a non-empty (after trimming) string, trimmed; "" if none.
inline std::string_view
first_string(const boost::json::object& o, std::initializer_list<std::string_view> keys) noexcept
{
    for (auto k : keys)
        if (const auto* v = find(o, k))
            if (const auto* s = v->if_string())
                if (auto t = trim(*s); !t.empty())
                    return t;
    return {};
}

// An integer from a JSON number (doubles truncated) or a decimal string. Values past the int64
// range saturate, so that a bound check (limits.hpp) sees them as too large, not as absent.
inline std::optional<std::int64_t> to_int(const boost::json::value& v) noexcept
{
    switch (v.kind())
    {
    case boost::json::kind::int64:
        return v.get_int64();
    case boost::json::kind::uint64:
        return v.get_uint64() > static_cast<std::uint64_t>(INT64_MAX)
                   ? INT64_MAX
                   : static_cast<std::int64_t>(v.get_uint64());
    case boost::json::kind::double_:
    {
        double d = v.get_double();
        if (!std::isfinite(d))
            return std::nullopt;
        if (d >= 9.2e18)
            return INT64_MAX;
        if (d <= -9.2e18)
            return INT64_MIN;
        return static_cast<std::int64_t>(d);
    }
    case boost::json::kind::string:
    {
        std::string_view s = trim(v.get_string());
        std::int64_t r = 0;
        auto res = std::from_chars(s.data(), s.data() + s.size(), r);
        if (s.empty() || res.ptr != s.data() + s.size())
            return std::nullopt;
        if (res.ec == std::errc::result_out_of_range)
            return s.front() == '-' ? INT64_MIN : INT64_MAX;
        if (res.ec != std::errc{})
            return std::nullopt;
        return r;
    }
    default:
        return std::nullopt;
    }
}

inline std::optional<std::int64_t>
first_int(const boost::json::object& o, std::initializer_list<std::string_view> keys) noexcept
{
    for (auto k : keys)
        if (const auto* v = find(o, k))
            if (auto i = to_int(*v))
                return i;
    return std::nullopt;
}

inline std::optional<double> to_double(const boost::json::value& v) noexcept
{
    if (v.is_number())
    {
        double d = v.to_number<double>();
        return std::isfinite(d) ? std::optional<double>(d) : std::nullopt;
    }
    if (const auto* s = v.if_string())
    {
        std::string_view t = trim(*s);
        double d = 0;
        auto r = std::from_chars(t.data(), t.data() + t.size(), d);
        if (!t.empty() && r.ec == std::errc{} && r.ptr == t.data() + t.size() && std::isfinite(d))
            return d;
    }
    return std::nullopt;
}

// A bool from true/false, "true"/"false"/"1"/"0", or a number (non-zero = true).
inline std::optional<bool> to_bool(const boost::json::value& v) noexcept
{
    if (const auto* b = v.if_bool())
        return *b;
    if (const auto* s = v.if_string())
    {
        std::string_view t = trim(*s);
        if (t == "true" || t == "TRUE" || t == "True" || t == "1")
            return true;
        if (t == "false" || t == "FALSE" || t == "False" || t == "0")
            return false;
        return std::nullopt;
    }
    if (v.is_int64())
        return v.get_int64() != 0;
    if (v.is_uint64())
        return v.get_uint64() != 0;
    if (v.is_double())
        return v.get_double() != 0;
    return std::nullopt;
}

inline std::optional<bool>
first_bool(const boost::json::object& o, std::initializer_list<std::string_view> keys) noexcept
{
    for (auto k : keys)
        if (const auto* v = find(o, k))
            if (auto b = to_bool(*v))
                return b;
    return std::nullopt;
}

// ^(GET|POST|PUT|PATCH|DELETE|OPTIONS|HEAD)\s+(\S+)
inline bool
split_endpoint(std::string_view endpoint, std::string_view& method, std::string_view& path) noexcept
{
    static constexpr std::array<std::string_view, 7> methods = {
        "GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"};
    for (auto m : methods)
    {
        if (!endpoint.starts_with(m))
            continue;
        std::size_t i = m.size();
        std::size_t ws = i;
        while (i < endpoint.size() && (endpoint[i] == ' ' || endpoint[i] == '\t'))
            ++i;
        if (i == ws || i >= endpoint.size())
            return false;
        std::size_t start = i;
        while (i < endpoint.size() && endpoint[i] != ' ' && endpoint[i] != '\t' && endpoint[i] != '\n' &&
               endpoint[i] != '\r')
            ++i;
        method = m;
        path = endpoint.substr(start, i - start);
        return true;
    }
    return false;
}

} // namespace cpamd::usage::detail
