#pragma once

// Helpers shared by the security unit tests.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace cpamd::security::testing
{

inline std::string to_hex(std::span<const unsigned char> bytes)
{
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    for (unsigned char b : bytes)
    {
        out.push_back(digits[b >> 4]);
        out.push_back(digits[b & 15]);
    }
    return out;
}

inline std::vector<unsigned char> from_hex(std::string_view hex)
{
    auto nibble = [](char c) -> unsigned { return c <= '9' ? unsigned(c - '0') : unsigned(c - 'a' + 10); };
    std::vector<unsigned char> out;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
        out.push_back(static_cast<unsigned char>(nibble(hex[i]) << 4 | nibble(hex[i + 1])));
    return out;
}

// 00 01 02 ... n-1
inline std::vector<unsigned char> counting_bytes(std::size_t n, unsigned char start = 0)
{
    std::vector<unsigned char> out(n);
    for (std::size_t i = 0; i < n; ++i)
        out[i] = static_cast<unsigned char>(start + i);
    return out;
}

} // namespace cpamd::security::testing
