#include "json_text.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cpamd/core/go_json.hpp>
#include <ctime>
#include <fmt/format.h>

namespace cpamd::sim
{

bool compact_json(std::string_view text, std::string& out)
{
    boost::system::error_code ec;
    boost::json::parse(text, ec);
    if (ec)
        return false;
    std::string s;
    s.reserve(text.size());
    bool in_string = false;
    bool escaped = false;
    for (char c : text)
    {
        if (in_string)
        {
            s.push_back(c);
            if (escaped)
                escaped = false;
            else if (c == '\\')
                escaped = true;
            else if (c == '"')
                in_string = false;
            continue;
        }
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r')
            continue;
        if (c == '"')
            in_string = true;
        s.push_back(c);
    }
    go_json::escape_html_in_place(s);
    out = std::move(s);
    return true;
}

std::string gin_json(const boost::json::value& v)
{
    std::string s = boost::json::serialize(v);
    go_json::escape_html_in_place(s);
    return s;
}

std::string go_duration(long long seconds)
{
    if (seconds <= 0)
        return "0s";
    long long h = seconds / 3600;
    long long m = (seconds % 3600) / 60;
    long long s = seconds % 60;
    if (h > 0)
        return fmt::format("{}h{}m{}s", h, m, s);
    if (m > 0)
        return fmt::format("{}m{}s", m, s);
    return fmt::format("{}s", s);
}

std::string rfc3339_nano(std::chrono::system_clock::time_point t, int offset_minutes)
{
    using namespace std::chrono;
    auto ns_total = duration_cast<nanoseconds>(t.time_since_epoch()).count();
    long long secs = ns_total / 1'000'000'000;
    long long frac = ns_total % 1'000'000'000;
    if (frac < 0)
    {
        frac += 1'000'000'000;
        --secs;
    }
    std::time_t local = static_cast<std::time_t>(secs + offset_minutes * 60LL);
    std::tm tm{};
    gmtime_r(&local, &tm);
    std::string out = fmt::format(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        tm.tm_year + 1900,
        tm.tm_mon + 1,
        tm.tm_mday,
        tm.tm_hour,
        tm.tm_min,
        tm.tm_sec
    );
    if (frac != 0)
    {
        std::string f = fmt::format("{:09}", frac);
        while (!f.empty() && f.back() == '0')
            f.pop_back();
        out += "." + f;
    }
    if (offset_minutes == 0)
        out += "Z";
    else
    {
        int a = offset_minutes < 0 ? -offset_minutes : offset_minutes;
        out += fmt::format("{}{:02}:{:02}", offset_minutes < 0 ? '-' : '+', a / 60, a % 60);
    }
    return out;
}

} // namespace cpamd::sim
