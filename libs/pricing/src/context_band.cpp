#include <algorithm>
#include <cpamd/pricing/context_band.hpp>

namespace cpamd::pricing
{

std::vector<std::int64_t> context_thresholds(const price_table& table)
{
    std::vector<std::int64_t> out{legacy_long_context_threshold};
    for (const price_map* map : {&table.prices, &table.builtin})
        for (const auto& [id, price] : *map)
            for (const auto& tier : price.context_tiers)
                out.push_back(tier.threshold_tokens);
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

std::int64_t
context_band_floor(std::int64_t normalized_input, std::span<const std::int64_t> sorted_thresholds)
{
    auto it = std::lower_bound(sorted_thresholds.begin(), sorted_thresholds.end(), normalized_input);
    if (it == sorted_thresholds.begin())
        return 0;
    return std::max<std::int64_t>(*std::prev(it), 0);
}

} // namespace cpamd::pricing
