#pragma once

// Runs of consecutive hour (or day) numbers: the projected parts of a range are read one query
// per run, the gaps between runs raw.

#include <cstdint>
#include <span>
#include <utility>
#include <vector>

namespace cpamd::analytics
{

// The runs [first, end) of consecutive numbers in `units`, sorted ascending without repeats.
inline std::vector<std::pair<std::int64_t, std::int64_t>> consecutive_runs(std::span<const std::int64_t> units
)
{
    std::vector<std::pair<std::int64_t, std::int64_t>> runs;
    for (auto u : units)
        if (!runs.empty() && runs.back().second == u)
            runs.back().second++;
        else
            runs.emplace_back(u, u + 1);
    return runs;
}

} // namespace cpamd::analytics
