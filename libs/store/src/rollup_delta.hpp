#pragma once

// The blob of a deferred batch's rollup deltas (table rollup_pending): one entry per key, each
// the key fields and the sums as zigzag varints, then the latency histogram's length and its
// encoded bytes. The row's `format` says which key fields: 1 = the 7 of schema v3 (the cost
// fields then read as 0, and the hour is re-derived), 2 = the 10 of v4, 3 = the 9 of v6 (no API
// key).

#include "rollup_batch.hpp"

#include <cpamd/store/sqlite.hpp>
#include <cstdint>
#include <string>
#include <string_view>

namespace cpamd::store
{

inline constexpr int legacy_delta_format = 1;
inline constexpr int v4_delta_format = 2;
inline constexpr int delta_format = 3; // what append_rollup_delta writes

void append_rollup_delta(
    std::string& out, const rollup_key& key, const rollup_sums& sums, std::string_view hist
);

// Reads the entry at the front of `in` and moves past it. False when the bytes are not an entry.
bool read_rollup_delta(
    std::string_view& in,
    rollup_key& key,
    rollup_sums& sums,
    std::string_view& hist,
    int format = delta_format
);

// Calls f(key, sums, hist) for every entry of `blob`; false when it is malformed (f may have run
// for the entries before the fault).
template <class F>
bool for_each_rollup_delta(std::string_view blob, F&& f, int format = delta_format)
{
    rollup_key key;
    rollup_sums sums;
    std::string_view hist;
    while (!blob.empty())
    {
        if (!read_rollup_delta(blob, key, sums, hist, format))
            return false;
        f(key, sums, hist);
    }
    return true;
}

[[noreturn]] void throw_malformed_pending(std::int64_t row_id);

// Calls f(key, sums, hist) for every entry of every rollup_pending row, oldest row first. Throws
// std::runtime_error naming the first malformed row.
template <class F>
void for_each_pending_delta(connection& db, F&& f)
{
    auto s = db.prepare("SELECT id, deltas, format FROM rollup_pending ORDER BY id");
    while (s.step())
        if (!for_each_rollup_delta(s.blob(1), f, static_cast<int>(s.int64(2))))
            throw_malformed_pending(s.int64(0));
}

} // namespace cpamd::store
