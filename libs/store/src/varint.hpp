#pragma once

// LEB128 varints for the store's compact blobs (latency histograms, deferred rollup deltas).

#include <cstdint>
#include <string>
#include <string_view>

namespace cpamd::store::varint
{

inline void put(std::string& out, std::uint64_t v)
{
    while (v >= 0x80)
    {
        out.push_back(static_cast<char>((v & 0x7F) | 0x80));
        v >>= 7;
    }
    out.push_back(static_cast<char>(v));
}

// Reads one varint from the front of `in`; false (in unspecified) when truncated or too long.
inline bool get(std::string_view& in, std::uint64_t& v)
{
    v = 0;
    for (int shift = 0; shift < 64; shift += 7)
    {
        if (in.empty())
            return false;
        auto b = static_cast<unsigned char>(in.front());
        in.remove_prefix(1);
        v |= static_cast<std::uint64_t>(b & 0x7F) << shift;
        if (!(b & 0x80))
            return true;
    }
    return false;
}

// Signed values zigzag-encoded, so small negatives stay short.
inline void put_signed(std::string& out, std::int64_t v)
{
    put(out, (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63));
}

inline bool get_signed(std::string_view& in, std::int64_t& v)
{
    std::uint64_t u = 0;
    if (!get(in, u))
        return false;
    v = static_cast<std::int64_t>((u >> 1) ^ (~(u & 1) + 1));
    return true;
}

} // namespace cpamd::store::varint
