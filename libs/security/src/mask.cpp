#include <cpamd/security/mask.hpp>
#include <cpamd/security/text.hpp>
#include <vector>

namespace cpamd::security
{

namespace
{

// Byte offsets of each code point start in `s`, plus s.size() at the end; empty if `s` is not
// valid UTF-8 (overlongs, surrogates and values above U+10FFFF count as invalid).
std::vector<std::size_t> code_point_offsets(std::string_view s)
{
    std::vector<std::size_t> offsets;
    std::size_t i = 0;
    while (i < s.size())
    {
        const auto b0 = static_cast<unsigned char>(s[i]);
        std::size_t n = 0;
        unsigned cp = 0;
        if (b0 < 0x80)
            n = 1, cp = b0;
        else if ((b0 & 0xE0) == 0xC0)
            n = 2, cp = b0 & 0x1Fu;
        else if ((b0 & 0xF0) == 0xE0)
            n = 3, cp = b0 & 0x0Fu;
        else if ((b0 & 0xF8) == 0xF0)
            n = 4, cp = b0 & 0x07u;
        else
            return {};
        if (i + n > s.size())
            return {};
        for (std::size_t k = 1; k < n; ++k)
        {
            const auto b = static_cast<unsigned char>(s[i + k]);
            if ((b & 0xC0) != 0x80)
                return {};
            cp = (cp << 6) | (b & 0x3Fu);
        }
        const bool overlong = (n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000);
        if (overlong || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return {};
        offsets.push_back(i);
        i += n;
    }
    offsets.push_back(s.size());
    return offsets;
}

} // namespace

std::string mask_secret(std::string_view secret)
{
    const std::string_view s = trim_space(secret);
    if (s.empty())
        return {};
    const std::vector<std::size_t> offsets = code_point_offsets(s);
    const std::size_t chars = offsets.empty() ? 0 : offsets.size() - 1;
    if (chars < mask_min_partial_length)
        return std::string(mask_fill);
    std::string out;
    out.append(s.substr(0, offsets[mask_head]));
    out.append(mask_fill);
    out.append(s.substr(offsets[chars - mask_tail]));
    return out;
}

bool is_masked_form(std::string_view stored, std::string_view candidate)
{
    const std::string_view s = trim_space(stored);
    if (s.empty())
        return false;
    return trim_space(candidate) == mask_secret(s);
}

} // namespace cpamd::security
