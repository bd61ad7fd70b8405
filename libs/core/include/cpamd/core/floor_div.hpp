#pragma once

// Division rounding toward negative infinity: the hour, day or bucket an instant falls in, for
// instants before 1970 too (C++'s `/` rounds toward zero). `b` must be positive.

#include <cstdint>

namespace cpamd
{

constexpr std::int64_t floor_div(std::int64_t a, std::int64_t b) noexcept
{
    return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}

} // namespace cpamd
