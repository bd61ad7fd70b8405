#pragma once

// Model families named by the legacy long-context and service-tier multiplier rules
// (analytics-api §1, steps 4 and 5).

#include <string_view>

namespace cpamd::pricing
{

// True when `model_id`, lower-cased and without a provider prefix (everything up to the last
// '/'), starts with `family` (lower case) and the next character does not continue its version
// number: "gpt-5.4", "gpt-5.4-mini" and "openai/GPT-5.4" are in "gpt-5.4"; "gpt-5.40" is not.
bool in_family(std::string_view model_id, std::string_view family) noexcept;

// ASCII case-insensitive equality (model ids and service tiers are ASCII).
bool iequals(std::string_view a, std::string_view b) noexcept;

} // namespace cpamd::pricing
