#include "first_value.hpp"

#include <array>
#include <boost/json/basic_parser_impl.hpp>
#include <string>

namespace cpamd::usage::detail
{
namespace
{

namespace json = boost::json;
using ec_t = boost::system::error_code;

// The keys legacy_format_of() decides by: at the top level, or inside a top-level "usage" object.
bool legacy_key(std::string_view k) noexcept
{
    static constexpr std::array<std::string_view, 4> keys = {
        "apis", "total_requests", "success_count", "failure_count"};
    for (auto key : keys)
        if (k == key)
            return true;
    return false;
}

// Tracks only depth and the keys that matter; values are skipped.
struct sniffer
{
    static constexpr std::size_t max_array_size = -1;
    static constexpr std::size_t max_object_size = -1;
    static constexpr std::size_t max_string_size = -1;
    static constexpr std::size_t max_key_size = -1;

    std::size_t depth = 0;        // open objects and arrays
    bool after_usage_key = false; // the last top-level key was "usage"
    bool in_usage_object = false; // inside the object that is its value
    bool maybe_legacy = false;
    std::string key; // the key being read (only short keys can matter)
    bool key_too_long = false;

    bool begin(bool object)
    {
        in_usage_object = in_usage_object || (object && depth == 1 && after_usage_key);
        ++depth;
        return true;
    }
    bool end()
    {
        if (--depth == 1)
            in_usage_object = false;
        return true;
    }
    void append_key(json::string_view s)
    {
        if (key_too_long || key.size() + s.size() > 32)
            key_too_long = true;
        else
            key.append(s.data(), s.size());
    }

    bool on_document_begin(ec_t&) { return true; }
    bool on_document_end(ec_t&) { return true; }
    bool on_array_begin(ec_t&) { return begin(false); }
    bool on_array_end(std::size_t, ec_t&) { return end(); }
    bool on_object_begin(ec_t&) { return begin(true); }
    bool on_object_end(std::size_t, ec_t&) { return end(); }
    bool on_string_part(json::string_view, std::size_t, ec_t&) { return true; }
    bool on_string(json::string_view, std::size_t, ec_t&) { return true; }
    bool on_key_part(json::string_view s, std::size_t, ec_t&)
    {
        append_key(s);
        return true;
    }
    bool on_key(json::string_view s, std::size_t, ec_t&)
    {
        append_key(s);
        std::string_view k = key_too_long ? std::string_view() : std::string_view(key);
        if (depth == 1)
        {
            after_usage_key = k == "usage";
            maybe_legacy = maybe_legacy || legacy_key(k);
        }
        else if (depth == 2 && in_usage_object)
            maybe_legacy = maybe_legacy || legacy_key(k);
        key.clear();
        key_too_long = false;
        return true;
    }
    bool on_number_part(json::string_view, ec_t&) { return true; }
    bool on_int64(std::int64_t, json::string_view, ec_t&) { return true; }
    bool on_uint64(std::uint64_t, json::string_view, ec_t&) { return true; }
    bool on_double(double, json::string_view, ec_t&) { return true; }
    bool on_bool(bool, ec_t&) { return true; }
    bool on_null(ec_t&) { return true; }
    bool on_comment_part(json::string_view, ec_t&) { return true; }
    bool on_comment(json::string_view, ec_t&) { return true; }
};

bool is_ws(char c) noexcept
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

} // namespace

first_value_info scan_first_value(std::string_view text)
{
    first_value_info info;
    json::basic_parser<sniffer> p{json::parse_options()};
    ec_t ec;
    std::size_t used = p.write_some(false, text.data(), text.size(), ec);
    if (ec || !p.done())
        return info;
    info.complete = true;
    info.consumed = used;
    while (used > 0 && is_ws(text[used - 1]))
        --used;
    info.size = used;
    info.maybe_legacy = p.handler().maybe_legacy;
    return info;
}

} // namespace cpamd::usage::detail
