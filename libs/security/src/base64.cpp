#include <array>
#include <cassert>
#include <cpamd/security/base64.hpp>
#include <fmt/format.h>

namespace cpamd::security
{

namespace
{

constexpr std::string_view std_alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view url_alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

constexpr unsigned char invalid = 0xFF;

constexpr std::array<unsigned char, 256> make_table(std::string_view alphabet)
{
    std::array<unsigned char, 256> t{};
    for (auto& e : t)
        e = invalid;
    for (std::size_t i = 0; i < alphabet.size(); ++i)
        t[static_cast<unsigned char>(alphabet[i])] = static_cast<unsigned char>(i);
    return t;
}

constexpr auto std_table = make_table(std_alphabet);
constexpr auto url_table = make_table(url_alphabet);

bool padded(base64_variant v) noexcept
{
    return v == base64_variant::std;
}

} // namespace

std::string base64_encode(std::span<const unsigned char> data, base64_variant v)
{
    const std::string_view alphabet = v == base64_variant::raw_url ? url_alphabet : std_alphabet;
    std::string out;
    out.reserve((data.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 3 <= data.size(); i += 3)
    {
        const unsigned n = (unsigned(data[i]) << 16) | (unsigned(data[i + 1]) << 8) | unsigned(data[i + 2]);
        out.push_back(alphabet[(n >> 18) & 63]);
        out.push_back(alphabet[(n >> 12) & 63]);
        out.push_back(alphabet[(n >> 6) & 63]);
        out.push_back(alphabet[n & 63]);
    }
    const std::size_t rest = data.size() - i;
    if (rest != 0)
    {
        unsigned n = unsigned(data[i]) << 16;
        if (rest == 2)
            n |= unsigned(data[i + 1]) << 8;
        out.push_back(alphabet[(n >> 18) & 63]);
        out.push_back(alphabet[(n >> 12) & 63]);
        if (rest == 2)
            out.push_back(alphabet[(n >> 6) & 63]);
        if (padded(v))
            out.append(rest == 2 ? 1 : 2, '=');
    }
    return out;
}

std::string base64_encode(std::string_view data, base64_variant v)
{
    return base64_encode(
        std::span<const unsigned char>(reinterpret_cast<const unsigned char*>(data.data()), data.size()), v
    );
}

base64_decode_status
base64_decode_into(std::string_view in, base64_variant v, std::span<unsigned char> out) noexcept
{
    assert(out.size() >= base64_max_decoded_size(in.size()));
    const auto& table = v == base64_variant::raw_url ? url_table : std_table;
    base64_decode_status st;
    std::size_t si = 0;
    auto skip_newlines = [&]
    {
        // Go ignores CR and LF anywhere in the input.
        while (si < in.size() && (in[si] == '\r' || in[si] == '\n'))
            ++si;
    };
    auto fail = [&](std::size_t at)
    {
        st.error_offset = at;
        return st;
    };

    while (true)
    {
        unsigned quantum[4] = {0, 0, 0, 0};
        std::size_t j = 0;
        bool padding_ended = false;
        for (; j < 4; ++j)
        {
            skip_newlines();
            if (si == in.size())
                break;
            const char c = in[si++];
            const unsigned char d = table[static_cast<unsigned char>(c)];
            if (d != invalid)
            {
                quantum[j] = d;
                continue;
            }
            if (c != '=' || !padded(v) || j < 2)
                return fail(si - 1);
            // "xx==" or "xxx=", and then nothing but newlines.
            if (j == 2)
            {
                skip_newlines();
                if (si == in.size() || in[si] != '=')
                    return fail(si);
                ++si;
            }
            skip_newlines();
            if (si < in.size())
                return fail(si);
            padding_ended = true;
            break;
        }
        if (j == 4)
        {
            const unsigned n = (quantum[0] << 18) | (quantum[1] << 12) | (quantum[2] << 6) | quantum[3];
            out[st.size++] = static_cast<unsigned char>(n >> 16);
            out[st.size++] = static_cast<unsigned char>(n >> 8);
            out[st.size++] = static_cast<unsigned char>(n);
            continue;
        }
        if (j == 0)
            return st; // end of input on a quantum boundary
        if (j == 1 || (padded(v) && !padding_ended))
            return fail(in.size());
        // Non-strict like Go: the unused low bits of the last character are ignored.
        const unsigned n = (quantum[0] << 18) | (quantum[1] << 12) | (quantum[2] << 6);
        out[st.size++] = static_cast<unsigned char>(n >> 16);
        if (j == 3)
            out[st.size++] = static_cast<unsigned char>(n >> 8);
        return st;
    }
}

result<std::vector<unsigned char>> base64_decode(std::string_view in, base64_variant v)
{
    std::vector<unsigned char> out(base64_max_decoded_size(in.size()));
    const auto st = base64_decode_into(in, v, out);
    if (!st)
        return security_error{fmt::format("illegal base64 data at input byte {}", *st.error_offset)};
    out.resize(st.size);
    return out;
}

} // namespace cpamd::security
