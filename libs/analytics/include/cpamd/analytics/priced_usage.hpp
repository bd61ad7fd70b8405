#pragma once

// Cost at read time, from rollups (analytics-api §1 "Cost"; docs/pricing.md, "Cost in rollups").
// Every cost figure of the analytics routes comes from here: the usage of a time range is cut
// into priced slices, each a rollup row (one hour, one key) or, where rollups cannot answer, one
// raw event (the partial hours at the range's edges, and hours whose context bands are still
// being re-derived). A rollup row's requests share their price row, service tier and context
// band, so pricing the row's summed segments equals pricing its events one by one.

#include <cpamd/pricing/cost.hpp>
#include <cpamd/store/sqlite.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <string>

namespace cpamd::analytics
{

struct priced_slice
{
    std::int64_t ts_ns = 0; // the hour's start for a rollup row, the event's time for a raw one
    bool from_rollup = false;
    // dim ids (store::dim_reader names them)
    std::int64_t model = 0;
    std::int64_t provider = 0;
    std::int64_t auth_index = 0;
    std::int64_t endpoint = 0;
    bool failed = false;
    std::int64_t calls = 0;
    double usd = 0;
};

// Calls f for every slice of the usage in [from_ns, to_ns). Run inside one read transaction in
// which `prices` was loaded too (store::load_price_table), so prices, bands and rollups agree.
void for_each_priced_slice(
    store::connection& db,
    const pricing::price_table& prices,
    std::int64_t from_ns,
    std::int64_t to_ns,
    const std::function<void(const priced_slice&)>& f
);

struct cost_summary
{
    std::int64_t calls = 0;
    double usd = 0;
    std::map<std::string, double, std::less<>> usd_by_model; // by analytics model name
};
// Sums are compensated (pricing/usd_sum.hpp): exact to about one ulp of the total.

// Loads the prices and sums the slices of [from_ns, to_ns) in one snapshot.
cost_summary cost_between(store::connection& db, std::int64_t from_ns, std::int64_t to_ns);

} // namespace cpamd::analytics
