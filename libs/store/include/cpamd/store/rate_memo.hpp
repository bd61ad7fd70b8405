#pragma once

// Prices of rollup rows and raw events within one read or one projection step (analytics-api §1
// "Cost"): the analytics routes price at read time, the projections that store a cost price with
// the same rates so both agree.

#include <cpamd/pricing/context_band.hpp>
#include <cpamd/pricing/cost.hpp>
#include <cpamd/store/dims.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <tuple>
#include <vector>

namespace cpamd::store
{

// The five rates of each (model, billing model, service tier, context floor) met in one read:
// rollup rows and events repeat few of these, and resolving one looks up names and tiers.
class rate_memo
{
public:
    rate_memo(connection& db, const pricing::price_table& prices)
        : dims_(db), prices_(prices), thresholds_(pricing::context_thresholds(prices))
    {
    }

    // Null when no price row matches (the cost is 0).
    const pricing::effective_rates*
    rates(std::int64_t model, std::int64_t billing, std::int64_t tier, std::int64_t floor)
    {
        auto key = std::tuple{model, billing, tier, floor};
        auto it = memo_.find(key);
        if (it == memo_.end())
            it = memo_.emplace(key, resolve(model, billing, tier, floor)).first;
        return it->second ? &*it->second : nullptr;
    }

    // The cost of summed canonical cost buckets (uncached, cache read, cache write, output,
    // reasoning) that share a price key: a rollup or projection row, or one event.
    double
    usd(std::int64_t model,
        std::int64_t billing,
        std::int64_t tier,
        std::int64_t floor,
        const std::int64_t* cost)
    {
        auto* r = rates(model, billing, tier, floor);
        return r ? pricing::cost_usd(
                       pricing::segments_of_buckets(cost[0], cost[1], cost[2], cost[3], cost[4]), *r
                   )
                 : 0.0;
    }

    // The cost of one raw event. Its band among the current thresholds, not its own input as the
    // floor: that prices the same and keeps the memo to a few entries, not one per event.
    double event_usd(std::int64_t model, std::int64_t billing, std::int64_t tier, const std::int64_t* cost)
    {
        return usd(
            model, billing, tier, pricing::context_band_floor(cost[0] + cost[1] + cost[2], thresholds_), cost
        );
    }

private:
    // The requested model is not in the key: the analytics model is the requested one when the
    // record has one (usage::event::model), so trying it a third time would change nothing.
    std::optional<pricing::effective_rates>
    resolve(std::int64_t model, std::int64_t billing, std::int64_t tier, std::int64_t floor)
    {
        const auto& model_name = dims_.value(model);
        auto match = pricing::find_price(prices_, {dims_.value(billing), model_name, {}});
        if (!match.price)
            return std::nullopt;
        return pricing::resolve_rates(*match.price, match.model, floor, dims_.value(tier));
    }

    dim_reader dims_;
    const pricing::price_table& prices_;
    std::vector<std::int64_t> thresholds_;
    std::map<
        std::tuple<std::int64_t, std::int64_t, std::int64_t, std::int64_t>,
        std::optional<pricing::effective_rates>>
        memo_;
};

} // namespace cpamd::store
