#include <algorithm>
#include <cpamd/analytics/local_time.hpp>
#include <cpamd/core/floor_div.hpp>
#include <date/tz.h>
#include <limits>
#include <stdexcept>

namespace cpamd::analytics
{
namespace
{

constexpr std::int64_t int64_min = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t int64_max = std::numeric_limits<std::int64_t>::max();

std::int64_t floor_mod(std::int64_t a, std::int64_t b) noexcept
{
    return a - floor_div(a, b) * b;
}

void check_instant(std::int64_t ms, bool is_end)
{
    if (ms < min_local_time_ms || ms > max_local_time_ms || (ms == max_local_time_ms && !is_end))
    {
        throw std::out_of_range("local_time: instant outside years 0001-9999");
    }
}

// A stretch of UTC time with one offset (a date::sys_info, in milliseconds).
struct segment
{
    std::int64_t begin_ms = int64_min;
    std::int64_t end_ms = int64_max;
    std::int64_t offset_ms = 0;
};

std::int64_t seconds_to_ms(std::int64_t s) noexcept
{
    // The database's first and last stretches end at years -32767 and 32767: well inside int64 ms,
    // but saturate anyway rather than trust that.
    constexpr std::int64_t limit = int64_max / 1000;
    return std::clamp(s, -limit, limit) * 1000;
}

segment segment_at(const zone& z, std::int64_t utc_ms)
{
    if (z.tz() == nullptr)
    {
        return {};
    }
    const date::sys_seconds at{std::chrono::seconds{floor_div(utc_ms, 1000)}};
    const date::sys_info info = z.tz()->get_info(at);
    return {
        seconds_to_ms(info.begin.time_since_epoch().count()),
        seconds_to_ms(info.end.time_since_epoch().count()),
        info.offset.count() * 1000,
    };
}

date::year_month_day civil(std::int64_t local_day) noexcept
{
    // local_day is within years 0001-9999 (+/- a day), far inside date::days' int range.
    return date::year_month_day{date::sys_days{date::days{static_cast<int>(local_day)}}};
}

void put_digits(char* out, unsigned value, int width) noexcept
{
    for (int i = width - 1; i >= 0; --i)
    {
        out[i] = static_cast<char>('0' + value % 10);
        value /= 10;
    }
}

// Writes "YYYY-MM-DD", plus " HH:00" for an hour. The date's text is kept from one bucket to the
// next: an hourly timeline has 24 buckets a day, and converting each day number again was half
// of buckets()'s time.
class label_writer
{
public:
    void write(bucket& b)
    {
        if (b.local_day != day_)
        {
            const date::year_month_day ymd = civil(b.local_day);
            put_digits(date_.data(), static_cast<unsigned>(static_cast<int>(ymd.year())), 4);
            put_digits(date_.data() + 5, static_cast<unsigned>(ymd.month()), 2);
            put_digits(date_.data() + 8, static_cast<unsigned>(ymd.day()), 2);
            day_ = b.local_day;
        }
        std::copy(date_.begin(), date_.end(), b.label_text.begin());
        b.label_size = date_.size();
        if (b.local_hour >= 0)
        {
            char* text = b.label_text.data();
            text[10] = ' ';
            put_digits(text + 11, static_cast<unsigned>(b.local_hour), 2);
            text[13] = ':';
            text[14] = '0';
            text[15] = '0';
            b.label_size = 16;
        }
    }

private:
    std::int64_t day_ = int64_min;
    std::array<char, 10> date_{'0', '0', '0', '0', '-', '0', '0', '-', '0', '0'};
};

} // namespace

std::string_view zone::name() const noexcept
{
    return tz_ == nullptr ? std::string_view{"UTC"} : std::string_view{tz_->name()};
}

std::optional<zone> find_zone(std::string_view iana_name)
{
    if (iana_name.empty() || iana_name == "UTC")
    {
        return zone::utc();
    }
    if (iana_name == "localtime")
    {
        return std::nullopt;
    }
    try
    {
        return zone{date::locate_zone(iana_name)};
    }
    catch (const std::runtime_error&)
    {
        // Unknown name, or no readable tzdata at all (then only UTC works).
        return std::nullopt;
    }
}

local_fields to_local(const zone& z, std::int64_t utc_ms)
{
    check_instant(utc_ms, false);
    const segment seg = segment_at(z, utc_ms);
    const std::int64_t local_ms = utc_ms + seg.offset_ms;
    const std::int64_t day = floor_div(local_ms, ms_per_day);
    const std::int64_t in_day = local_ms - day * ms_per_day;
    const date::year_month_day ymd = civil(day);
    local_fields f;
    f.local_day = day;
    f.year = static_cast<int>(ymd.year());
    f.month = static_cast<int>(static_cast<unsigned>(ymd.month()));
    f.day = static_cast<int>(static_cast<unsigned>(ymd.day()));
    f.hour = static_cast<int>(in_day / ms_per_hour);
    f.minute = static_cast<int>(in_day % ms_per_hour / ms_per_minute);
    f.weekday = static_cast<int>(floor_mod(day + 4, 7)); // 1970-01-01 was a Thursday
    f.offset_minutes = static_cast<int>(seg.offset_ms / ms_per_minute);
    return f;
}

granularity auto_granularity(std::int64_t from_ms, std::int64_t to_ms) noexcept
{
    return to_ms - from_ms <= ms_per_day ? granularity::hour : granularity::day;
}

std::vector<bucket> buckets(const zone& z, std::int64_t from_ms, std::int64_t to_ms, granularity g)
{
    check_instant(from_ms, true);
    check_instant(to_ms, true);
    std::vector<bucket> out;
    if (from_ms >= to_ms)
    {
        return out;
    }
    const std::int64_t unit = g == granularity::hour ? ms_per_hour : ms_per_day;
    out.reserve(static_cast<std::size_t>((to_ms - from_ms) / unit + 2));
    // Walk runs of instants with one offset and one local unit; a run whose local unit is the
    // bucket's (the repeated hour after a DST fall-back) extends it instead of starting one.
    segment seg = segment_at(z, from_ms);
    std::int64_t last_key = 0;
    label_writer labels;
    for (std::int64_t t = from_ms; t < to_ms;)
    {
        if (t >= seg.end_ms)
        {
            seg = segment_at(z, t);
        }
        const std::int64_t key = floor_div(t + seg.offset_ms, unit);
        const std::int64_t run_end = std::min({(key + 1) * unit - seg.offset_ms, seg.end_ms, to_ms});
        if (!out.empty() && key == last_key)
        {
            out.back().end_ms = run_end;
        }
        else
        {
            bucket& b = out.emplace_back();
            b.start_ms = t;
            b.end_ms = run_end;
            b.local_day = g == granularity::hour ? floor_div(key, 24) : key;
            b.local_hour = g == granularity::hour ? static_cast<int>(floor_mod(key, 24)) : -1;
            labels.write(b);
            last_key = key;
        }
        t = run_end;
    }
    return out;
}

bool hour_aligned(const zone& z, std::int64_t from_ms, std::int64_t to_ms)
{
    check_instant(from_ms, true);
    check_instant(to_ms, true);
    for (std::int64_t t = from_ms; t < to_ms;)
    {
        const segment seg = segment_at(z, t);
        if (seg.offset_ms % ms_per_hour != 0)
        {
            return false;
        }
        t = seg.end_ms;
    }
    return true;
}

rollup_split split_for_rollups(std::int64_t begin, std::int64_t end, std::int64_t grain) noexcept
{
    if (end <= begin)
    {
        return {begin, begin, begin, begin};
    }
    if (grain <= 0)
    {
        return {begin, end, end, end};
    }
    const std::int64_t whole_begin = -floor_div(-begin, grain) * grain; // begin rounded up
    const std::int64_t whole_end = floor_div(end, grain) * grain;       // end rounded down
    if (whole_begin >= whole_end)
    {
        return {begin, end, end, end};
    }
    return {begin, whole_begin, whole_end, end};
}

} // namespace cpamd::analytics
