#pragma once

// The stored admin credential, settings key `admin_credential_v1` (spec manager-api §3.1):
//   {"version":1,"salt":"<b64raw 16 B>","keyHash":"<b64raw 32 B>","iterations":1,
//    "createdAtMs":N,"rotatedAtMs":N (omitted when 0),"source":"env|generated|cli|cli-generated"}
// keyHash = HMAC-SHA256(key = salt, message = trimmed admin key) when iterations <= 1, else
// PBKDF2-HMAC-SHA256(trimmed admin key, salt, iterations, 32) (newer upstream releases write
// 120000 iterations; both verify here). The admin key itself is never stored.

#include <cpamd/security/error.hpp>
#include <cpamd/security/primitives.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cpamd::security
{

inline constexpr std::string_view admin_credential_setting_key = "admin_credential_v1";

// Iteration counts above this are refused when parsing: a corrupted or hostile record must not
// turn every request into minutes of PBKDF2.
inline constexpr std::int64_t max_credential_iterations = 10'000'000;

enum class credential_source
{
    env,          // CPA_MANAGER_ADMIN_KEY or its file, first boot
    generated,    // generated at first boot
    cli,          // reset-admin-key with --admin-key / --admin-key-file
    cli_generated // reset-admin-key that generated the key
};

std::string_view to_string(credential_source s) noexcept;

struct admin_credential
{
    std::int64_t version = 1;
    std::vector<unsigned char> salt;
    sha256_digest key_hash{};
    std::int64_t iterations = 1; // <= 1 means one HMAC round
    std::int64_t created_at_ms = 0;
    std::int64_t rotated_at_ms = 0; // 0 = never rotated (omitted from JSON)
    std::string source;             // kept verbatim: records from other versions may use other words
};

// The keyHash of `admin_key` (trimmed as Go's strings.TrimSpace first) for `salt`/`iterations`.
sha256_digest
hash_admin_key(std::string_view admin_key, std::span<const unsigned char> salt, std::int64_t iterations);

// A new credential for `admin_key` with a fresh 16-byte salt, iterations 1, createdAtMs = now_ms.
// Fails if the trimmed key is empty. Throws crypto_failure if the CSPRNG fails.
result<admin_credential>
create_admin_credential(std::string_view admin_key, credential_source source, std::int64_t now_ms);

// Replaces the key of `current`: new salt, iterations 1, same createdAtMs, rotatedAtMs = now_ms,
// the given source. Fails if the trimmed key is empty.
result<admin_credential> rotate_admin_credential(
    const admin_credential& current,
    std::string_view new_admin_key,
    credential_source source,
    std::int64_t now_ms
);

// True iff `presented` (trimmed) hashes to the record's keyHash; the comparison is constant-time.
// An empty key or an incomplete record never verifies.
bool verify_admin_key(const admin_credential& credential, std::string_view presented);

// Parses the stored JSON. Errors name the offending field, never echo values.
result<admin_credential> parse_admin_credential(std::string_view json);

// The JSON as the upstream writes it (Go json.Marshal: field order above, no trailing newline).
std::string serialize_admin_credential(const admin_credential& credential);

} // namespace cpamd::security
