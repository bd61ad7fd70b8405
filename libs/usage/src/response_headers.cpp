#include <algorithm>
#include <array>
#include <boost/json/array.hpp>
#include <charconv>
#include <cmath>
#include <cpamd/usage/go_marshal.hpp>
#include <cpamd/usage/normalize_tokens.hpp>
#include <cpamd/usage/redact.hpp>
#include <cpamd/usage/response_headers.hpp>
#include <utility>
#include <vector>

namespace cpamd::usage
{

namespace
{

constexpr std::size_t max_headers = 32;
constexpr std::size_t max_value_bytes = 256;
constexpr std::size_t max_name_bytes = 128;

std::string lower_copy(std::string_view s)
{
    std::string r(s);
    for (auto& c : r)
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
    return r;
}

bool contains(std::string_view s, std::string_view what) noexcept
{
    return s.find(what) != std::string_view::npos;
}

bool is_rate_limit(std::string_view n) noexcept
{
    return contains(n, "ratelimit") || contains(n, "rate-limit");
}

bool denied(std::string_view n) noexcept
{
    static constexpr std::array<std::string_view, 7> words = {
        "cookie", "authorization", "secret", "password", "session", "key", "auth"};
    for (auto w : words)
        if (contains(n, w))
            return true;
    return contains(n, "token") && !is_rate_limit(n);
}

bool allowed(std::string_view n) noexcept
{
    static constexpr std::array<std::string_view, 9> exact = {
        "retry-after",
        "x-request-id",
        "request-id",
        "x-trace-id",
        "cf-ray",
        "x-amzn-requestid",
        "x-goog-request-id",
        "x-should-retry",
        "openai-processing-ms"};
    for (auto e : exact)
        if (n == e)
            return true;
    return n.starts_with("x-codex-") || is_rate_limit(n);
}

std::optional<double> to_double(std::string_view s)
{
    double d = 0;
    auto r = std::from_chars(s.data(), s.data() + s.size(), d);
    if (r.ec != std::errc{} || r.ptr != s.data() + s.size() || !std::isfinite(d))
        return std::nullopt;
    return d;
}

std::optional<std::int64_t> to_int(std::string_view s)
{
    std::int64_t v = 0;
    auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    if (r.ec != std::errc{} || r.ptr != s.data() + s.size())
        return std::nullopt;
    return v;
}

} // namespace

header_info extract_response_headers(const boost::json::object& headers, std::int64_t attempt_end_ms)
{
    header_info info;
    struct kept
    {
        std::string name;  // as sent (Go-canonical)
        std::string lname; // lower case, for lookups
        std::string value;
    };
    std::vector<kept> keep;
    for (const auto& kv : headers)
    {
        std::string_view name = kv.key();
        if (name.empty() || name.size() > max_name_bytes)
            continue;
        std::string lname = lower_copy(name);
        if (denied(lname) || !allowed(lname))
            continue;
        std::string joined;
        if (const auto* a = kv.value().if_array())
        {
            for (const auto& e : *a)
                if (const auto* s = e.if_string())
                {
                    if (!joined.empty())
                        joined += ", ";
                    joined += std::string_view(*s);
                    if (joined.size() > max_value_bytes * 4)
                        break;
                }
        }
        else if (const auto* s = kv.value().if_string())
            joined = std::string_view(*s);
        else
            continue;
        keep.push_back({std::string(name), std::move(lname), redact_text(joined, max_value_bytes)});
    }
    if (keep.empty())
        return info;
    std::sort(keep.begin(), keep.end(), [](const kept& a, const kept& b) { return a.name < b.name; });
    if (keep.size() > max_headers)
        keep.resize(max_headers);

    auto find = [&](std::string_view lname) -> const std::string*
    {
        for (const auto& k : keep)
            if (k.lname == lname)
                return &k.value;
        return nullptr;
    };

    info.metadata_json.push_back('{');
    for (std::size_t i = 0; i < keep.size(); ++i)
    {
        if (i)
            info.metadata_json.push_back(',');
        append_go_string(info.metadata_json, keep[i].name);
        info.metadata_json.push_back(':');
        append_go_string(info.metadata_json, keep[i].value);
    }
    info.metadata_json.push_back('}');

    if (const auto* v = find("x-codex-primary-used-percent"))
        info.quota_used_percent = to_double(*v);
    if (const auto* v = find("x-codex-primary-reset-at"))
    {
        if (auto at = to_int(*v))
        {
            std::int64_t ms;
            if (*at >= 10000000000LL) // already milliseconds
                info.quota_recover_at_ms = *at;
            else if (!__builtin_mul_overflow(*at, 1000, &ms))
                info.quota_recover_at_ms = ms;
        }
    }
    if (!info.quota_recover_at_ms)
    {
        const std::string* v = find("x-codex-primary-reset-after-seconds");
        if (v == nullptr)
            v = find("retry-after"); // HTTP-date form not interpreted
        if (v != nullptr)
            if (auto secs = to_int(*v); secs && *secs >= 0 && *secs < 100LL * 365 * 86400)
                info.quota_recover_at_ms = saturating_add(attempt_end_ms, *secs * 1000);
    }
    if (const auto* v = find("x-codex-plan-type"))
        info.quota_plan_type = *v;
    for (auto n : {"x-request-id", "request-id", "x-trace-id", "cf-ray"})
        if (const auto* v = find(n); v != nullptr && !v->empty())
        {
            info.trace_id = *v;
            break;
        }
    return info;
}

} // namespace cpamd::usage
