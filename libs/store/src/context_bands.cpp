#include "rollup_batch.hpp"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <cpamd/pricing/context_band.hpp>
#include <cpamd/store/context_bands.hpp>
#include <cpamd/store/projections.hpp>
#include <cpamd/store/settings.hpp>
#include <cpamd/usage/timestamp.hpp>

namespace cpamd::store
{
namespace
{

namespace json = boost::json;

constexpr std::string_view state_key = "rollup_context_bands_v1";
constexpr std::int64_t ns_per_hour = 3600LL * 1000 * 1000 * 1000;

std::int64_t now_ms()
{
    return usage::now_utc().unix_ms();
}

std::optional<std::int64_t> int_field(const json::object& o, std::string_view key)
{
    auto* v = o.if_contains(key);
    if (v && v->is_int64())
        return v->as_int64();
    return std::nullopt;
}

std::vector<std::int64_t> thresholds_of(const json::value& v)
{
    std::vector<std::int64_t> out;
    if (auto* o = v.if_object())
        if (auto* a = o->if_contains("thresholds"); a && a->is_array())
            for (const auto& t : a->as_array())
                if (t.is_int64() && t.as_int64() > 0)
                    out.push_back(t.as_int64());
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

context_band_state parse_state(std::string_view text)
{
    context_band_state st;
    boost::system::error_code ec;
    auto v = json::parse(text, ec);
    if (ec || !v.is_object())
        return st;
    const auto& o = v.as_object();
    st.thresholds = thresholds_of(v);
    st.pending_from_hour = int_field(o, "pendingFromHour");
    st.pending_below_hour = int_field(o, "pendingBelowHour");
    if (!st.pending_from_hour || !st.pending_below_hour)
        st.pending_from_hour = st.pending_below_hour = std::nullopt;
    st.hours_total = int_field(o, "hoursTotal").value_or(0);
    st.hours_done = int_field(o, "hoursDone").value_or(0);
    st.started_at_ms = int_field(o, "startedAtMs").value_or(0);
    return st;
}

void write_state(connection& db, const context_band_state& st)
{
    json::object o;
    json::array thresholds;
    for (auto t : st.thresholds)
        thresholds.push_back(t);
    o["thresholds"] = std::move(thresholds);
    if (st.rederiving())
    {
        o["pendingFromHour"] = *st.pending_from_hour;
        o["pendingBelowHour"] = *st.pending_below_hour;
    }
    o["hoursTotal"] = st.hours_total;
    o["hoursDone"] = st.hours_done;
    o["startedAtMs"] = st.started_at_ms;
    write_setting(db, state_key, json::serialize(o), now_ms());
}

// The configured thresholds: every context tier's, plus the legacy long-context bound.
std::vector<std::int64_t> configured_thresholds(connection& db)
{
    std::vector<std::int64_t> out{pricing::legacy_long_context_threshold};
    auto s = db.prepare(
        "SELECT DISTINCT threshold_tokens FROM model_price_context_tiers WHERE threshold_tokens > 0"
    );
    while (s.step())
        out.push_back(s.int64(0));
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

// The hours that can hold rollup rows or events: [first, last]; nullopt when there are none.
std::optional<std::pair<std::int64_t, std::int64_t>> stored_hours(connection& db)
{
    std::optional<std::int64_t> lo = db.query_int("SELECT min(hour) FROM rollup_hour");
    std::optional<std::int64_t> hi = db.query_int("SELECT max(hour) FROM rollup_hour");
    // Hours whose only rows are still in rollup_pending: their events are in `events`.
    if (auto first = db.query_int("SELECT min(ts_ns) FROM events"))
        lo = std::min(lo.value_or(INT64_MAX), *first / ns_per_hour);
    if (auto last = db.query_int("SELECT max(ts_ns) FROM events"))
        hi = std::max(hi.value_or(INT64_MIN), *last / ns_per_hour);
    if (!lo || !hi)
        return std::nullopt;
    return std::pair{*lo, *hi};
}

// The event columns a rollup row is made of, in the order rederive_hour reads them.
constexpr const char* hour_events_sql = R"sql(
SELECT model, provider, auth_index, endpoint, failed, response_model, resolved_model, service_tier,
       input_tokens, output_tokens, reasoning_tokens, cached_tokens, cache_tokens, cache_read_tokens,
       cache_creation_tokens, total_tokens, cost_uncached, cost_cache_read, cost_cache_write, cost_output,
       cost_reasoning, latency_ms, ttft_ms
FROM events WHERE ts_ns >= ?1 AND ts_ns < ?2
)sql";

// Rebuilds hour `h`'s rollup rows from its events when they still account for every call of
// its rows. Returns the number of events read.
std::int64_t rederive_hour(connection& db, std::int64_t h, const std::vector<std::int64_t>& thresholds)
{
    auto events = db.prepare("SELECT count(*) FROM events WHERE ts_ns >= ?1 AND ts_ns < ?2");
    events.bind(1, h * ns_per_hour).bind(2, (h + 1) * ns_per_hour);
    std::int64_t n = events.step() ? events.int64(0) : 0;
    auto calls = db.prepare("SELECT coalesce(sum(calls), 0) FROM rollup_hour WHERE hour = ?1");
    calls.bind(1, h);
    if (!calls.step() || calls.int64(0) != n)
        return n; // retention removed some of its events: the rows are all that is left

    rollup_batch batch;
    usage::event ev; // only the fields rollup_sums reads are set
    auto s = db.prepare(hour_events_sql);
    s.bind(1, h * ns_per_hour).bind(2, (h + 1) * ns_per_hour);
    while (s.step())
    {
        auto& t = ev.tokens;
        t.input = s.int64(8), t.output = s.int64(9), t.reasoning = s.int64(10), t.cached = s.int64(11);
        t.cache = s.int64(12), t.cache_read = s.int64(13), t.cache_creation = s.int64(14),
        t.total = s.int64(15);
        auto& c = ev.cost;
        c.input_uncached = s.int64(16), c.cache_read = s.int64(17), c.cache_write = s.int64(18);
        c.output = s.int64(19), c.reasoning = s.int64(20);
        ev.latency_ms = s.is_null(21) ? std::nullopt : std::optional(s.int64(21));
        ev.ttft_ms = s.is_null(22) ? std::nullopt : std::optional(s.int64(22));
        rollup_key key{
            h,
            s.int64(0),
            s.int64(1),
            s.int64(2),
            s.int64(3),
            s.int64(4) != 0 ? 1 : 0,
            s.int64(5) != 0 ? s.int64(5) : s.int64(6),
            s.int64(7),
            pricing::context_band_floor(normalized_input(c), thresholds)};
        batch.add(key, ev);
    }
    auto remove = db.prepare("DELETE FROM rollup_hour WHERE hour = ?1");
    remove.bind(1, h).run();
    auto insert = db.prepare(insert_rollup_sql);
    batch.for_each_in_key_order(
        [&](const rollup_key& k, const rollup_sums& r, const std::string& hist)
        {
            bind_rollup_row(insert, k, r, hist);
            insert.run_keeping_bindings();
        }
    );
    return n;
}

} // namespace

context_band_state read_context_band_state(connection& db)
{
    auto text = read_setting(db, state_key);
    if (!text)
        return {{pricing::legacy_long_context_threshold}};
    return parse_state(*text);
}

bool refresh_context_bands(connection& db)
{
    auto thresholds = configured_thresholds(db);
    auto text = read_setting(db, state_key);
    if (text && parse_state(*text).thresholds == thresholds)
        return false;
    // A missing row is a database from before schema v4 (its rows carry no bands) or a new one
    // (nothing to re-derive).
    context_band_state st;
    st.thresholds = std::move(thresholds);
    st.started_at_ms = now_ms();
    if (auto hours = stored_hours(db))
    {
        st.pending_from_hour = hours->first;
        st.pending_below_hour = hours->second + 1;
        st.hours_total = hours->second + 1 - hours->first;
    }
    write_state(db, st);
    // The projections carry bands too: made again with the new list (projections.hpp).
    invalidate_all_projections(db);
    return true;
}

bool rederive_context_bands_step(connection& db, std::int64_t max_events)
{
    auto st = read_context_band_state(db);
    if (!st.rederiving())
        return false;
    auto next = db.prepare("SELECT max(hour) FROM rollup_hour WHERE hour >= ?1 AND hour < ?2");
    std::int64_t read = 0;
    while (st.rederiving() && read < max_events)
    {
        next.bind(1, *st.pending_from_hour).bind(2, *st.pending_below_hour);
        std::optional<std::int64_t> h;
        if (next.step() && !next.is_null(0))
            h = next.int64(0);
        next.reset();
        if (!h)
        {
            st.pending_from_hour = st.pending_below_hour = std::nullopt;
            st.hours_done = st.hours_total;
            break;
        }
        read += rederive_hour(db, *h, st.thresholds);
        st.pending_below_hour = *h;
        st.hours_done = st.hours_total - (*h - *st.pending_from_hour);
    }
    write_state(db, st);
    return st.rederiving();
}

context_band_cache::context_band_cache(connection& db)
    : read_(db.prepare("SELECT value FROM settings WHERE key = ?1", true)),
      thresholds_{pricing::legacy_long_context_threshold}
{
}

void context_band_cache::refresh()
{
    read_.bind(1, state_key);
    std::string_view text = read_.step() ? read_.text(0) : std::string_view();
    if (text != text_)
    {
        text_ = std::string(text);
        thresholds_ = text_.empty() ? std::vector<std::int64_t>{pricing::legacy_long_context_threshold}
                                    : parse_state(text_).thresholds;
    }
    read_.reset();
}

std::int64_t context_band_cache::floor_of(std::int64_t input) const
{
    return pricing::context_band_floor(input, thresholds_);
}

} // namespace cpamd::store
