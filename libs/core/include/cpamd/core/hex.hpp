#pragma once

// Lower-case hexadecimal, as hashes and ids are written on the wire.

#include <string>
#include <string_view>

namespace cpamd::hex
{

// 0..15 for a hex digit of either case, -1 for anything else.
constexpr int digit_value(char c) noexcept
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

// Two lower-case digits per byte.
inline std::string encode(std::string_view bytes)
{
    static constexpr char digits[] = "0123456789abcdef";
    std::string out(bytes.size() * 2, '\0');
    for (std::size_t i = 0; i < bytes.size(); ++i)
    {
        auto b = static_cast<unsigned char>(bytes[i]);
        out[2 * i] = digits[b >> 4];
        out[2 * i + 1] = digits[b & 15];
    }
    return out;
}

} // namespace cpamd::hex
