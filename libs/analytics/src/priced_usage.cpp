#include <cpamd/analytics/local_time.hpp>
#include <cpamd/analytics/priced_usage.hpp>
#include <cpamd/pricing/context_band.hpp>
#include <cpamd/pricing/usd_sum.hpp>
#include <cpamd/store/context_bands.hpp>
#include <cpamd/store/dims.hpp>
#include <cpamd/store/price_repository.hpp>
#include <cpamd/store/rate_memo.hpp>
#include <cpamd/store/rollup_rows.hpp>
#include <map>
#include <optional>
#include <tuple>

namespace cpamd::analytics
{
namespace
{

constexpr std::int64_t ns_per_hour = 3600LL * 1000 * 1000 * 1000;

// Raw events of [from_ns, to_ns), each priced on its own (its band is its own input).
void raw_slices(
    store::connection& db,
    store::rate_memo& memo,
    std::int64_t from_ns,
    std::int64_t to_ns,
    const std::function<void(const priced_slice&)>& f
)
{
    if (from_ns >= to_ns)
        return;
    auto s = db.prepare(R"sql(
SELECT ts_ns, model, provider, auth_index, endpoint, failed, response_model, resolved_model, service_tier,
       cost_uncached, cost_cache_read, cost_cache_write, cost_output, cost_reasoning
FROM events WHERE ts_ns >= ?1 AND ts_ns < ?2
)sql");
    s.bind(1, from_ns).bind(2, to_ns);
    priced_slice slice;
    slice.calls = 1;
    while (s.step())
    {
        slice.ts_ns = s.int64(0), slice.model = s.int64(1), slice.provider = s.int64(2);
        slice.auth_index = s.int64(3), slice.endpoint = s.int64(4);
        slice.failed = s.int64(5) != 0;
        std::int64_t billing = s.int64(6) != 0 ? s.int64(6) : s.int64(7);
        const std::int64_t cost[5] = {s.int64(9), s.int64(10), s.int64(11), s.int64(12), s.int64(13)};
        slice.usd = memo.event_usd(slice.model, billing, s.int64(8), cost);
        f(slice);
    }
}

} // namespace

void for_each_priced_slice(
    store::connection& db,
    const pricing::price_table& prices,
    std::int64_t from_ns,
    std::int64_t to_ns,
    const std::function<void(const priced_slice&)>& f
)
{
    if (from_ns >= to_ns)
        return;
    store::rate_memo memo(db, prices);
    // Whole hours inside the range from rollups, the partial ones at the edges raw.
    auto split = split_for_rollups(from_ns, to_ns, ns_per_hour);
    raw_slices(db, memo, split.begin, split.whole_begin, f);
    raw_slices(db, memo, split.whole_end, split.end, f);
    if (split.whole_begin >= split.whole_end)
        return;
    const std::int64_t first_hour = split.whole_begin / ns_per_hour; // exact: multiples of an hour
    const std::int64_t end_hour = split.whole_end / ns_per_hour;

    auto bands = store::read_context_band_state(db);
    // Hours whose bands belong to an older threshold list are priced from their events.
    if (bands.rederiving())
    {
        std::int64_t lo = std::max(first_hour, *bands.pending_from_hour);
        std::int64_t hi = std::min(end_hour, *bands.pending_below_hour);
        if (lo < hi)
            raw_slices(db, memo, lo * ns_per_hour, hi * ns_per_hour, f);
    }
    priced_slice slice;
    slice.from_rollup = true;
    store::for_each_rollup_row(
        db,
        first_hour,
        end_hour,
        [&](const store::rollup_row& row)
        {
            if (!bands.hour_current(row.hour))
                return;
            slice.ts_ns = row.hour * ns_per_hour;
            slice.model = row.model, slice.provider = row.provider, slice.auth_index = row.auth_index;
            slice.endpoint = row.endpoint, slice.failed = row.failed;
            slice.calls = row.calls;
            slice.usd = memo.usd(row.model, row.billing_model, row.service_tier, row.context_floor, row.cost);
            f(slice);
        }
    );
}

cost_summary cost_between(store::connection& db, std::int64_t from_ns, std::int64_t to_ns)
{
    store::read_transaction snapshot(db);
    auto prices = store::load_price_table(db);
    store::dim_reader dims(db);
    cost_summary out;
    pricing::usd_sum total;
    std::map<std::int64_t, pricing::usd_sum> by_model;
    for_each_priced_slice(
        db,
        prices,
        from_ns,
        to_ns,
        [&](const priced_slice& s)
        {
            out.calls += s.calls;
            total += s.usd;
            by_model[s.model] += s.usd;
        }
    );
    out.usd = total.value();
    for (const auto& [model, usd] : by_model)
        out.usd_by_model[dims.value(model)] += usd.value();
    return out;
}

} // namespace cpamd::analytics
