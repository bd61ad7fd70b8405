#include <array>
#include <cpamd/security/text.hpp>

namespace cpamd::security
{

namespace
{

// The UTF-8 encodings of the non-ASCII characters Go's unicode.IsSpace accepts. UTF-8 is
// self-synchronizing, so matching these exact byte sequences at either end is the same as
// decoding a rune there and testing it.
constexpr std::array<std::string_view, 17> unicode_spaces = {
    "\xC2\x85",     // U+0085 NEL
    "\xC2\xA0",     // U+00A0 NO-BREAK SPACE
    "\xE1\x9A\x80", // U+1680
    "\xE2\x80\x80", // U+2000 .. U+200A
    "\xE2\x80\x81",
    "\xE2\x80\x82",
    "\xE2\x80\x83",
    "\xE2\x80\x84",
    "\xE2\x80\x85",
    "\xE2\x80\x86",
    "\xE2\x80\x87",
    "\xE2\x80\x88",
    "\xE2\x80\x89",
    "\xE2\x80\x8A",
    "\xE2\x80\xA8", // U+2028, U+2029
    "\xE2\x80\xA9",
    "\xE2\x80\xAF", // U+202F (U+205F and U+3000 below)
};
constexpr std::string_view u205f = "\xE2\x81\x9F";
constexpr std::string_view u3000 = "\xE3\x80\x80";

bool is_ascii_space(char c) noexcept
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

// Length of the space sequence `s` starts with (0 if none).
std::size_t leading_space(std::string_view s) noexcept
{
    if (s.empty())
        return 0;
    if (is_ascii_space(s.front()))
        return 1;
    // Every multi-byte space starts with a non-ASCII byte: most text stops here.
    if (static_cast<unsigned char>(s.front()) < 0x80)
        return 0;
    for (std::string_view sp : unicode_spaces)
        if (s.starts_with(sp))
            return sp.size();
    if (s.starts_with(u205f) || s.starts_with(u3000))
        return 3;
    return 0;
}

std::size_t trailing_space(std::string_view s) noexcept
{
    if (s.empty())
        return 0;
    if (is_ascii_space(s.back()))
        return 1;
    // ...and ends with a continuation byte.
    if (static_cast<unsigned char>(s.back()) < 0x80)
        return 0;
    for (std::string_view sp : unicode_spaces)
        if (s.ends_with(sp))
            return sp.size();
    if (s.ends_with(u205f) || s.ends_with(u3000))
        return 3;
    return 0;
}

} // namespace

std::string_view trim_space(std::string_view s) noexcept
{
    while (std::size_t n = leading_space(s))
        s.remove_prefix(n);
    while (std::size_t n = trailing_space(s))
        s.remove_suffix(n);
    return s;
}

bool iequals_ascii(std::string_view a, std::string_view b) noexcept
{
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i)
    {
        char x = a[i];
        char y = b[i];
        if (x >= 'A' && x <= 'Z')
            x = static_cast<char>(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z')
            y = static_cast<char>(y - 'A' + 'a');
        if (x != y)
            return false;
    }
    return true;
}

} // namespace cpamd::security
