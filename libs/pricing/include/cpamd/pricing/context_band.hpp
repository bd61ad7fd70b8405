#pragma once

// Context bands: where a request's normalized input lies relative to every threshold that can
// change its rates. Step 3 of analytics-api §1 picks the tier of the highest threshold the
// normalized input *strictly exceeds*; the legacy long-context rule (step 4) starts above
// 272,000 (LongContextInputTokenThreshold, the same bound as the long_* token columns).
//
// A band is named by its floor: the largest threshold its requests strictly exceed, 0 when
// they exceed none. Every request of a band selects the same tier of every price whose
// thresholds were in the list the band was computed from, so a rollup keyed by the floor
// prices exactly like its raw events (cost.hpp).

#include <cpamd/pricing/model_price.hpp>
#include <cstdint>
#include <span>
#include <vector>

namespace cpamd::pricing
{

inline constexpr std::int64_t legacy_long_context_threshold = 272'000;

// Every context-tier threshold of `table` (rows and built-in) plus the legacy one; sorted, unique.
std::vector<std::int64_t> context_thresholds(const price_table& table);

// The floor of the band of `normalized_input` among `sorted_thresholds`: the largest threshold
// strictly below it, or 0.
std::int64_t
context_band_floor(std::int64_t normalized_input, std::span<const std::int64_t> sorted_thresholds);

// The floor of a single request taken on its own: every threshold t it strictly exceeds has
// t <= normalized_input - 1 (integers), so no threshold list is needed.
constexpr std::int64_t request_context_floor(std::int64_t normalized_input) noexcept
{
    return normalized_input > 0 ? normalized_input - 1 : 0;
}

} // namespace cpamd::pricing
