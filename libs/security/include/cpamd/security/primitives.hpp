#pragma once

// The few OpenSSL 3 operations the rest of libs/security is built from (EVP_RAND/EVP_MAC/EVP_KDF).
// All throw crypto_failure if OpenSSL itself fails; none can fail because of their input.

#include <array>
#include <cpamd/security/secret.hpp>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace cpamd::security
{

using sha256_digest = std::array<unsigned char, 32>;

// Fills `out` from the OpenSSL CSPRNG (RAND_bytes).
void random_bytes(std::span<unsigned char> out);

// HMAC-SHA256(key, message).
sha256_digest hmac_sha256(std::span<const unsigned char> key, std::span<const unsigned char> message);

// PBKDF2-HMAC-SHA256 with `iterations` >= 1, `length` output bytes. No lower bounds on salt or
// iteration count are enforced: records written elsewhere must verify as they were written.
secret_bytes pbkdf2_sha256(
    std::span<const unsigned char> password,
    std::span<const unsigned char> salt,
    std::uint32_t iterations,
    std::size_t length
);

// HKDF-SHA256 (RFC 5869 extract-and-expand). `ikm` must be non-empty.
secret_bytes hkdf_sha256(
    std::span<const unsigned char> ikm, std::string_view salt, std::string_view info, std::size_t length
);

// Views a string's bytes as unsigned char.
inline std::span<const unsigned char> as_bytes(std::string_view s) noexcept
{
    return {reinterpret_cast<const unsigned char*>(s.data()), s.size()};
}

} // namespace cpamd::security
