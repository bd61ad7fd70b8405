#pragma once

// Encryption of stored secrets, format "enc:v1:" (spec manager-api §3.4), used for the CPA
// management key in the settings `setup` and `manager_config_v1`:
//   key   = HKDF-SHA256(ikm = data key, salt = "cpa-manager-plus", info = "settings-secrets-v1", 32)
//   value = "enc:v1:" + b64raw(12-byte random nonce) + ":" + b64raw(AES-256-GCM ciphertext || 16-byte tag)
//   AAD   = "settings-secret"
// A stored value without the prefix is legacy plaintext and is used as is. Values are trimmed
// (Go strings.TrimSpace) on the way in and out, as the upstream does.

#include <array>
#include <cpamd/security/error.hpp>
#include <cpamd/security/secret.hpp>
#include <span>
#include <string>
#include <string_view>

namespace cpamd::security
{

inline constexpr std::string_view encrypted_prefix = "enc:v1:";
inline constexpr std::size_t secret_box_nonce_size = 12;
inline constexpr std::size_t secret_box_tag_size = 16;

// The message of every decryption failure caused by a wrong key or a damaged value (upstream's
// wording; the HTTP layer answers 500 with it).
inline constexpr std::string_view decrypt_failed_message =
    "decrypt secret: invalid data key or corrupted ciphertext";

// True if the trimmed value starts with "enc:v1:".
bool is_encrypted(std::string_view stored) noexcept;

struct opened_secret
{
    secret_string value;
    bool legacy = false; // stored without the prefix (plaintext) or empty
};

class secret_box
{
public:
    // Derives the encryption key from the 32-byte data key (any non-empty key is accepted, as
    // upstream). Throws crypto_failure if OpenSSL fails, std::invalid_argument if `data_key` is empty.
    explicit secret_box(std::span<const unsigned char> data_key);

    // Encrypts the trimmed `plaintext` with a fresh random nonce (even if it is empty or already
    // looks encrypted). Throws crypto_failure if OpenSSL fails.
    std::string encrypt(std::string_view plaintext) const;

    // The upstream's write rule: trimmed; empty or already "enc:v1:" -> returned as is (never
    // encrypted twice); otherwise encrypt().
    std::string encrypt_if_needed(std::string_view value) const;

    // Trimmed; empty or unprefixed -> returned as is with legacy = true; otherwise decrypted.
    // Errors: "invalid encrypted secret format" (not exactly two ':'-separated parts),
    // "illegal base64 data at input byte N", or decrypt_failed_message (wrong key, tampering,
    // wrong nonce size).
    result<opened_secret> decrypt(std::string_view stored) const;

    // Test seam: encrypt() with a caller-chosen nonce, so known-answer vectors can be checked.
    // Never use outside tests: reusing a nonce under GCM breaks confidentiality and integrity.
    std::string encrypt_with_nonce_for_testing(
        std::string_view plaintext, std::span<const unsigned char, secret_box_nonce_size> nonce
    ) const;

private:
    std::string
    seal(std::string_view plaintext, std::span<const unsigned char, secret_box_nonce_size> nonce) const;

    secret_bytes key_; // the derived AES-256 key
};

} // namespace cpamd::security
