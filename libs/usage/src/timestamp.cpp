#include <chrono>
#include <cmath>
#include <cpamd/usage/timestamp.hpp>

namespace cpamd::usage
{

namespace
{

constexpr std::int64_t min_seconds = -62167219200; // 0000-01-01T00:00:00Z
constexpr std::int64_t max_seconds = 253402300799; // 9999-12-31T23:59:59Z

// Days since 1970-01-01 for a proleptic Gregorian date (H. Hinnant's algorithm).
constexpr std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) noexcept
{
    y -= m <= 2;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

struct civil
{
    std::int64_t y;
    unsigned m, d;
};

constexpr civil civil_from_days(std::int64_t z) noexcept
{
    z += 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const auto doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    const unsigned d = doy - (153 * mp + 2) / 5 + 1;
    const unsigned m = mp < 10 ? mp + 3 : mp - 9;
    return {y + (m <= 2), m, d};
}

constexpr bool is_leap(std::int64_t y) noexcept
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

constexpr unsigned days_in_month(std::int64_t y, unsigned m) noexcept
{
    constexpr unsigned days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

// Reads exactly n digits at s[pos]; advances pos.
bool digits(std::string_view s, std::size_t& pos, std::size_t n, int& out) noexcept
{
    if (pos + n > s.size())
        return false;
    int v = 0;
    for (std::size_t i = 0; i < n; ++i)
    {
        char c = s[pos + i];
        if (c < '0' || c > '9')
            return false;
        v = v * 10 + (c - '0');
    }
    pos += n;
    out = v;
    return true;
}

bool lit(std::string_view s, std::size_t& pos, char c) noexcept
{
    if (pos < s.size() && s[pos] == c)
    {
        ++pos;
        return true;
    }
    return false;
}

std::string_view trim(std::string_view s) noexcept
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

std::optional<utc_time> make_time(std::int64_t seconds, std::int64_t nanos) noexcept
{
    if (seconds < min_seconds || seconds > max_seconds)
        return std::nullopt;
    return utc_time{seconds, static_cast<std::int32_t>(nanos)};
}

void put2(char*& p, unsigned v) noexcept
{
    *p++ = static_cast<char>('0' + v / 10);
    *p++ = static_cast<char>('0' + v % 10);
}

} // namespace

std::int64_t utc_time::unix_ms() const noexcept
{
    return seconds * 1000 + nanos / 1000000;
}

std::optional<utc_time> parse_timestamp(std::string_view text) noexcept
{
    std::string_view s = trim(text);
    if (s.empty())
        return std::nullopt;

    // A bare decimal number is read like a JSON number.
    bool all_digits = s.size() <= 18; // fits in int64
    for (char c : s)
        all_digits = all_digits && c >= '0' && c <= '9';
    if (all_digits)
    {
        std::int64_t v = 0;
        for (char c : s)
            v = v * 10 + (c - '0');
        return from_unix_number(v);
    }

    std::size_t pos = 0;
    int year, month, day, hour, minute, second;
    if (!digits(s, pos, 4, year) || !lit(s, pos, '-') || !digits(s, pos, 2, month) || !lit(s, pos, '-') ||
        !digits(s, pos, 2, day))
        return std::nullopt;
    if (!(lit(s, pos, 'T') || lit(s, pos, 't') || lit(s, pos, ' ')))
        return std::nullopt;
    if (!digits(s, pos, 2, hour) || !lit(s, pos, ':') || !digits(s, pos, 2, minute) || !lit(s, pos, ':') ||
        !digits(s, pos, 2, second))
        return std::nullopt;
    if (month < 1 || month > 12 || day < 1 || static_cast<unsigned>(day) > days_in_month(year, month) ||
        hour > 23 || minute > 59 || second > 59)
        return std::nullopt;

    std::int64_t nanos = 0;
    if (lit(s, pos, '.') || lit(s, pos, ','))
    {
        std::size_t n = 0;
        while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9')
        {
            if (n < 9)
                nanos = nanos * 10 + (s[pos] - '0');
            ++n;
            ++pos;
        }
        if (n == 0)
            return std::nullopt;
        for (std::size_t i = n; i < 9; ++i)
            nanos *= 10;
    }

    std::int64_t offset = 0;
    if (pos < s.size())
    {
        char c = s[pos++];
        if (c == 'Z' || c == 'z')
            offset = 0;
        else if (c == '+' || c == '-')
        {
            int oh, om;
            if (!digits(s, pos, 2, oh) || !lit(s, pos, ':') || !digits(s, pos, 2, om) || oh > 23 || om > 59)
                return std::nullopt;
            offset = (oh * 3600 + om * 60) * (c == '-' ? -1 : 1);
        }
        else
            return std::nullopt;
        if (pos != s.size())
            return std::nullopt;
    }

    std::int64_t secs =
        days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)) * 86400 +
        hour * 3600 + minute * 60 + second - offset;
    return make_time(secs, nanos);
}

std::optional<utc_time> from_unix_number(std::int64_t v) noexcept
{
    if (v < 10000000000LL)
        return make_time(v, 0);
    return make_time(v / 1000, (v % 1000) * 1000000);
}

std::optional<utc_time> from_unix_number(double v) noexcept
{
    if (!std::isfinite(v))
        return std::nullopt;
    if (v >= 1e10)
    {
        // Milliseconds: split before dividing so 1778000000123.0 stays .123 exactly.
        if (v > static_cast<double>(max_seconds) * 1000.0 + 1000.0)
            return std::nullopt;
        double whole_ms = std::floor(v);
        auto ms = static_cast<std::int64_t>(whole_ms);
        auto sub = static_cast<std::int64_t>(std::llround((v - whole_ms) * 1e6));
        std::int64_t nanos = ms % 1000 * 1000000 + sub; // v > 0 here: no negative remainder
        return make_time(ms / 1000 + nanos / 1000000000, nanos % 1000000000);
    }
    if (v < static_cast<double>(min_seconds) || v > static_cast<double>(max_seconds) + 1)
        return std::nullopt;
    double whole = std::floor(v);
    auto secs = static_cast<std::int64_t>(whole);
    auto nanos = static_cast<std::int64_t>(std::llround((v - whole) * 1e9));
    if (nanos >= 1000000000)
    {
        ++secs;
        nanos -= 1000000000;
    }
    return make_time(secs, nanos);
}

std::optional<utc_time> from_unix_ms(std::int64_t ms) noexcept
{
    std::int64_t secs = ms / 1000;
    std::int64_t rem = ms % 1000;
    if (rem < 0)
    {
        --secs;
        rem += 1000;
    }
    return make_time(secs, rem * 1000000);
}

std::string format_rfc3339nano(utc_time t)
{
    std::int64_t days = t.seconds / 86400;
    std::int64_t rem = t.seconds % 86400;
    if (rem < 0)
    {
        --days;
        rem += 86400;
    }
    civil c = civil_from_days(days);
    char buf[40];
    char* p = buf;
    auto y = static_cast<unsigned>(c.y < 0 ? 0 : c.y); // parse limits years to 0000-9999
    put2(p, y / 100 % 100);
    put2(p, y % 100);
    *p++ = '-';
    put2(p, c.m);
    *p++ = '-';
    put2(p, c.d);
    *p++ = 'T';
    put2(p, static_cast<unsigned>(rem / 3600));
    *p++ = ':';
    put2(p, static_cast<unsigned>(rem / 60 % 60));
    *p++ = ':';
    put2(p, static_cast<unsigned>(rem % 60));
    if (t.nanos > 0)
    {
        char frac[9];
        std::int32_t n = t.nanos;
        for (int i = 8; i >= 0; --i)
        {
            frac[i] = static_cast<char>('0' + n % 10);
            n /= 10;
        }
        int len = 9;
        while (len > 0 && frac[len - 1] == '0')
            --len;
        *p++ = '.';
        for (int i = 0; i < len; ++i)
            *p++ = frac[i];
    }
    *p++ = 'Z';
    return std::string(buf, p);
}

utc_time now_utc() noexcept
{
    auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                  std::chrono::system_clock::now().time_since_epoch()
    )
                  .count();
    return {ns / 1000000000, static_cast<std::int32_t>(ns % 1000000000)};
}

} // namespace cpamd::usage
