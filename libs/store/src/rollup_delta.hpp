#pragma once

// The blob of a deferred batch's rollup deltas (table rollup_pending): one entry per key, each
// the seven key fields and the sums as zigzag varints, then the latency histogram's length and
// its encoded bytes.

#include "rollup_batch.hpp"

#include <cpamd/store/sqlite.hpp>
#include <cstdint>
#include <string>
#include <string_view>

namespace cpamd::store
{

void append_rollup_delta(
    std::string& out, const rollup_key& key, const rollup_sums& sums, std::string_view hist
);

// Reads the entry at the front of `in` and moves past it. False when the bytes are not an entry.
bool read_rollup_delta(std::string_view& in, rollup_key& key, rollup_sums& sums, std::string_view& hist);

// Calls f(key, sums, hist) for every entry of `blob`; false when it is malformed (f may have run
// for the entries before the fault).
template <class F>
bool for_each_rollup_delta(std::string_view blob, F&& f)
{
    rollup_key key;
    rollup_sums sums;
    std::string_view hist;
    while (!blob.empty())
    {
        if (!read_rollup_delta(blob, key, sums, hist))
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
    auto s = db.prepare("SELECT id, deltas FROM rollup_pending ORDER BY id");
    while (s.step())
        if (!for_each_rollup_delta(s.blob(1), f))
            throw_malformed_pending(s.int64(0));
}

} // namespace cpamd::store
