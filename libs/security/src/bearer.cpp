#include <cpamd/security/bearer.hpp>
#include <cpamd/security/text.hpp>

namespace cpamd::security
{

std::string_view extract_bearer_token(std::string_view authorization) noexcept
{
    constexpr std::string_view prefix = "Bearer ";
    const std::string_view header = trim_space(authorization);
    // Byte-wise ASCII folding equals Go's EqualFold here: no non-ASCII rune folds to a letter of
    // "bearer", and a multi-byte rune cut at byte 7 cannot match the ASCII space.
    if (header.size() < prefix.size() || !iequals_ascii(header.substr(0, prefix.size()), prefix))
        return {};
    return trim_space(header.substr(prefix.size()));
}

} // namespace cpamd::security
