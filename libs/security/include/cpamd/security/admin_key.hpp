#pragma once

// Admin key generation (spec manager-api §3.1): "cpamp_" followed by 32 characters of
// [0-9A-Za-z] drawn from the OpenSSL CSPRNG without modulo bias.

#include <cpamd/security/secret.hpp>
#include <string_view>

namespace cpamd::security
{

inline constexpr std::string_view admin_key_prefix = "cpamp_";
inline constexpr std::size_t admin_key_random_length = 32;

// A fresh admin key. Throws crypto_failure if the CSPRNG fails.
secret_string generate_admin_key();

} // namespace cpamd::security
