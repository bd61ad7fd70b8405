#pragma once

// SHA-256 through OpenSSL 3 EVP.

#include <array>
#include <string>
#include <string_view>

namespace cpamd::usage
{

// 32-byte digest of `data`. Throws std::runtime_error only if OpenSSL fails (out of memory).
std::array<unsigned char, 32> sha256(std::string_view data);

// Lowercase hex (64 chars) of sha256(data).
std::string sha256_hex(std::string_view data);

// Lowercase hex of arbitrary bytes.
std::string to_hex(const unsigned char* data, std::size_t size);

} // namespace cpamd::usage
