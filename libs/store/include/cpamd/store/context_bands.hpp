#pragma once

// Context bands in the hourly rollups. Each rollup row keeps the floor of its requests' input
// size band (pricing/context_band.hpp) relative to every context threshold configured when the
// row was written, so cost can be computed from rollups at read time. When the set of thresholds
// changes (a price PUT or sync adds or removes a context tier), the rows are re-derived from raw
// events in the background, newest hour first, in bounded steps on the writer; until an hour is
// re-derived, cost readers price it from raw events.
//
// State in the settings row `rollup_context_bands_v1`:
//   {"thresholds":[...], "pendingFromHour":L, "pendingBelowHour":C, "hoursTotal":N, "hoursDone":D,
//    "startedAtMs":S}
// Hours in [L, C) still carry bands of an older threshold list; none when the pending keys are
// absent.

#include <cpamd/store/sqlite.hpp>
#include <cpamd/usage/normalize_tokens.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace cpamd::store
{

struct context_band_state
{
    std::vector<std::int64_t> thresholds;           // sorted, unique; always holds the legacy 272,000
    std::optional<std::int64_t> pending_from_hour;  // inclusive
    std::optional<std::int64_t> pending_below_hour; // exclusive
    std::int64_t hours_total = 0;
    std::int64_t hours_done = 0;
    std::int64_t started_at_ms = 0;

    bool rederiving() const { return pending_below_hour.has_value(); }
    // True when hour `h`'s rollup rows carry bands of the current thresholds.
    bool hour_current(std::int64_t h) const
    {
        return !rederiving() || h < *pending_from_hour || h >= *pending_below_hour;
    }
};

context_band_state read_context_band_state(connection& db);

// The thresholds of every context tier in model_price_context_tiers plus the legacy one. When
// they differ from the stored list, stores them and (re)starts the re-derivation of every hour
// that has rollup rows. Call on the writer, in the transaction that changed the prices. Returns
// true when the list changed.
bool refresh_context_bands(connection& db);

// One bounded step of the re-derivation: re-derives hours from the newest pending one down until
// `max_events` events have been read, and moves the state on. Call on the writer inside a
// transaction, after folding rollup_pending (its deltas would otherwise be added twice). An hour
// whose raw events no longer match its rollups (retention deleted some) is left as it is. Returns
// true while hours remain.
bool rederive_context_bands_step(connection& db, std::int64_t max_events);

// The normalized input that places a request in a band: its three input buckets (cpamd's
// canonical cost buckets, usage::cost_tokens), the same figure analytics reports as input.
inline std::int64_t normalized_input(const usage::cost_tokens& c) noexcept
{
    return c.total_input();
}

// The writer's copy of the stored thresholds. refresh() re-reads the settings row once per batch
// (one primary-key lookup) and parses it only when it changed.
class context_band_cache
{
public:
    explicit context_band_cache(connection& db);
    void refresh();
    std::int64_t floor_of(std::int64_t normalized_input) const;

private:
    statement read_;
    std::string text_;
    std::vector<std::int64_t> thresholds_;
};

} // namespace cpamd::store
