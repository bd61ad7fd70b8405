#pragma once

// First start: an empty model_prices table is filled from the bundled price catalog
// (pricing/price_catalog.hpp), so costs show before anyone syncs. Once only: a settings row
// remembers it, so a table the administrator emptied on purpose (PUT {"prices":{}}) stays empty
// across restarts, and a database that already had prices is never seeded.

#include <cpamd/store/store.hpp>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace cpamd::api
{

inline constexpr std::string_view price_catalog_seed_key = "model_prices_catalog_seed_v1";

// Runs on the writer and waits (start-up only). Returns the number of prices written; a failure
// is logged, not thrown (the daemon runs without prices, the next start tries again).
std::size_t seed_prices_from_catalog(store::store& db, std::int64_t now_ms);

} // namespace cpamd::api
