#pragma once

// Base64 as Go's encoding/base64 writes and reads it, so files and records written by the
// upstream Manager Server decode identically here:
//  - raw_std (RFC 4648 standard alphabet, no padding) is what the upstream writes ("b64raw");
//  - decoding skips '\r' and '\n' anywhere, rejects any other foreign character, and is not
//    strict about the unused low bits of the last character (Go's default).

#include <cpamd/security/error.hpp>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace cpamd::security
{

enum class base64_variant
{
    raw_std, // A-Z a-z 0-9 + /, no padding
    std,     // A-Z a-z 0-9 + /, '=' padding required
    raw_url, // A-Z a-z 0-9 - _, no padding
};

std::string base64_encode(std::span<const unsigned char> data, base64_variant v = base64_variant::raw_std);
std::string base64_encode(std::string_view data, base64_variant v = base64_variant::raw_std);

// Upper bound of the decoded size of `encoded_size` characters.
constexpr std::size_t base64_max_decoded_size(std::size_t encoded_size) noexcept
{
    return encoded_size / 4 * 3 + 3;
}

// Decodes into `out` (at least base64_max_decoded_size(in.size()) bytes). Returns the decoded
// length, or the offset of the first offending input byte in `error_offset`.
struct base64_decode_status
{
    std::size_t size = 0;
    std::optional<std::size_t> error_offset;
    explicit operator bool() const noexcept { return !error_offset; }
};
base64_decode_status
base64_decode_into(std::string_view in, base64_variant v, std::span<unsigned char> out) noexcept;

// Convenience form. Error message as Go's: "illegal base64 data at input byte N".
result<std::vector<unsigned char>>
base64_decode(std::string_view in, base64_variant v = base64_variant::raw_std);

} // namespace cpamd::security
