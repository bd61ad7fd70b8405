#pragma once

// Internal: finding a record's time among the keys that may hold it, within the accepted range
// (limits.hpp). Absent, null and blank values are not candidates; when there are candidates but
// none is usable, the record is refused: the clock's time would give every import of it a new
// hash, and a wrapped or clamped time would put it in another year.

#include "json_access.hpp"

#include <boost/json/value.hpp>
#include <boost/system/result.hpp>
#include <cpamd/usage/error.hpp>
#include <cpamd/usage/limits.hpp>
#include <cpamd/usage/timestamp.hpp>
#include <cstddef>
#include <optional>

namespace cpamd::usage::detail
{

// Offer the candidates in priority order until one is accepted; result() is the time or why none.
class time_search
{
public:
    // A value in one of the §6.2 forms (strings, seconds or milliseconds).
    bool offer(const boost::json::value* v)
    {
        if (v == nullptr || v->is_null())
            return false;
        if (const auto* s = v->if_string())
        {
            std::string_view t = trim(*s);
            if (t.empty())
                return false;
            bool digits = t.find_first_not_of("0123456789") == std::string_view::npos;
            return consider(parse_timestamp(t), digits);
        }
        if (v->is_int64())
            return consider(from_unix_number(v->get_int64()), true);
        if (v->is_uint64())
            return consider(from_unix_number(static_cast<double>(v->get_uint64())), true);
        if (v->is_double())
            return consider(from_unix_number(v->get_double()), true);
        return consider(std::nullopt, false);
    }

    // Unix milliseconds (an export's timestamp_ms).
    bool offer_ms(const boost::json::value* v)
    {
        if (v == nullptr || v->is_null() || (v->is_string() && trim(v->get_string()).empty()))
            return false;
        auto ms = to_int(*v);
        return consider(ms ? from_unix_ms(*ms) : std::nullopt, ms.has_value());
    }

    utc_time time_or_epoch() const { return time_.value_or(utc_time{}); }
    bool present() const { return candidates_ > 0; } // a timestamp key had a value

    boost::system::result<utc_time> result() const
    {
        if (time_)
            return *time_;
        if (candidates_ == 0)
            return errc::missing_timestamp;
        return out_of_range_ ? errc::timestamp_out_of_range : errc::invalid_timestamp;
    }

private:
    // `t` is what the value read as; `numeric` says it was a number, so a failure means too far.
    bool consider(std::optional<utc_time> t, bool numeric)
    {
        ++candidates_;
        if (t && in_event_range(*t))
        {
            time_ = t;
            return true;
        }
        out_of_range_ = out_of_range_ || t.has_value() || numeric;
        return false;
    }

    std::optional<utc_time> time_;
    std::size_t candidates_ = 0;
    bool out_of_range_ = false;
};

} // namespace cpamd::usage::detail
