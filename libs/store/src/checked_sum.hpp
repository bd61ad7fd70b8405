#pragma once

// Internal: the additions behind rollups and range totals. The parser bounds every summed value
// (usage/limits.hpp), which keeps these sums far from the int64 limits; should one still get there,
// it throws instead of wrapping: a failed write or query is loud, a wrapped sum is a silent lie.

#include <cstdint>
#include <stdexcept>

namespace cpamd::store
{

inline void add_checked(std::int64_t& sum, std::int64_t v)
{
    if (__builtin_add_overflow(sum, v, &sum))
        throw std::overflow_error("store: a token, latency or call sum would overflow int64");
}

} // namespace cpamd::store
