#pragma once

// Display masking of a stored secret (our deviation, docs/security.md: GET /usage-service/config
// answers the CPA management key masked, where the upstream returns it in clear).
// Form: first 3 + "****" + last 4 characters, e.g. "sk-****wxyz". Keys shorter than
// mask_min_partial_length characters (or not valid UTF-8) become just "****", so at least as
// many characters stay hidden as are shown. Characters are Unicode code points, so a mask is
// always valid UTF-8.

#include <cstddef>
#include <string>
#include <string_view>

namespace cpamd::security
{

inline constexpr std::string_view mask_fill = "****";
inline constexpr std::size_t mask_head = 3;
inline constexpr std::size_t mask_tail = 4;
inline constexpr std::size_t mask_min_partial_length = 16;

// The masked form of `secret` (trimmed first); "" for an empty secret.
std::string mask_secret(std::string_view secret);

// True if `candidate` is exactly what mask_secret(stored) shows, i.e. a client sent the masked
// value back unchanged: the caller then keeps the stored key. False for an empty `stored`.
bool is_masked_form(std::string_view stored, std::string_view candidate);

} // namespace cpamd::security
