#pragma once

// Redaction of secrets and PII before anything is stored (spec cpa-usage-queue §1.3,
// manager-api §6.2). Rules, in the order fail bodies are processed:
//
//  source masking (mask_source):
//    * email (local@domain, no spaces)     -> first 3 characters of local + "***@" + domain
//    * secret-like: no space or '/', and a key prefix (sk-, AIza, plus the extra prefixes of
//      has_key_prefix) or >= 32 bytes      -> "m:" + first 4 + "..." + last 4 ("m:****" if <= 8 bytes)
//    * anything else (Vertex project ids, labels) is kept.
//
//  free text (redact_text, used for fail_summary and header values):
//    1. "Bearer <x>" / "Basic <x>" (any case)          -> "Bearer [redacted]"
//    2. a secret-named field followed by ':' or '=' (JSON "api_key": "x", query api_key=x,
//       "x-api-key: x", password=..., "token": ...) -> the value becomes [redacted]. Names: any
//       identifier containing api_key/apikey/api-key, secret, password, passwd, token, authorization,
//       cookie, session, credential, private_key (case-insensitive, '-' = '_').
//    3. words with a key prefix (sk-, sk_, AIza, ya29., xai-, gsk_, ghp_, gho_, ghs_, github_pat_,
//       hf_, AKIA, eyJ for JWTs) followed by >= 8 key characters -> [redacted]
//    4. any other run of >= 40 key characters ([A-Za-z0-9_\-.+/=]) that mixes letters and digits
//       -> [redacted] (long opaque tokens; 32-hex trace ids survive)
//    5. emails -> masked like a source ("ali***@example.com")
//    The input is bounded (first 64 KiB) and the result is cut to `max_bytes` on a UTF-8
//    boundary, after redaction so a cut never exposes part of a secret.

#include <boost/json/value.hpp>
#include <cstddef>
#include <string>
#include <string_view>

namespace cpamd::usage
{

inline constexpr std::size_t fail_summary_max_bytes = 4096;
inline constexpr std::size_t client_ip_max_bytes = 64;
inline constexpr std::size_t x_forwarded_for_max_bytes = 2048;
inline constexpr std::size_t user_agent_max_bytes = 1024;

// True for "local@domain" with a non-empty local part, a domain containing no '@' and no spaces.
bool is_email(std::string_view s) noexcept;

// True if `s` starts with a known API-key prefix (sk-, AIza, ...).
bool has_key_prefix(std::string_view s) noexcept;

// True if `s` looks like a secret: no space or '/', and a key prefix or >= 32 bytes.
bool looks_secret(std::string_view s) noexcept;

// "m:" + first 4 + "..." + last 4 bytes, or "m:****" when raw has <= 8 bytes.
std::string mask_secret(std::string_view raw);

// The masked display form of a source (rules above). Idempotent on its own output.
std::string mask_source(std::string_view raw);

// Redacts free text (rules above) and cuts it to max_bytes.
std::string redact_text(std::string_view text, std::size_t max_bytes = fail_summary_max_bytes);

// The longest prefix of `s` of at most max_bytes that does not split a UTF-8 sequence.
std::string_view truncate_utf8(std::string_view s, std::size_t max_bytes) noexcept;

// True if a JSON key names a secret in raw_json redaction (CPAMP rule): api_key, apikey,
// authorization, cookie, set_cookie, access_token, refresh_token, id_token, token, or any key
// containing "secret"; case-insensitive with '-' read as '_'.
bool is_secret_json_key(std::string_view key) noexcept;

// Replaces, recursively, the value of every secret-named key with the string "[redacted]".
void redact_json_keys(boost::json::value& v);

} // namespace cpamd::usage
