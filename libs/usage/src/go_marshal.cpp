#include <algorithm>
#include <array>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <charconv>
#include <cmath>
#include <cpamd/usage/go_marshal.hpp>
#include <vector>

namespace cpamd::usage
{

namespace
{

constexpr char hex_digits[] = "0123456789abcdef";

// Length of the valid UTF-8 sequence at s[i] (2-4), or 0 if invalid (Go's DecodeRune rules:
// no overlongs, no surrogates, nothing above U+10FFFF).
std::size_t utf8_seq_len(std::string_view s, std::size_t i) noexcept
{
    auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
    unsigned char c = b(0);
    std::size_t n = s.size() - i;
    if (c >= 0xC2 && c <= 0xDF)
        return n >= 2 && (b(1) & 0xC0) == 0x80 ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF)
    {
        if (n < 3 || (b(1) & 0xC0) != 0x80 || (b(2) & 0xC0) != 0x80)
            return 0;
        if ((c == 0xE0 && b(1) < 0xA0) || (c == 0xED && b(1) > 0x9F))
            return 0;
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4)
    {
        if (n < 4 || (b(1) & 0xC0) != 0x80 || (b(2) & 0xC0) != 0x80 || (b(3) & 0xC0) != 0x80)
            return 0;
        if ((c == 0xF0 && b(1) < 0x90) || (c == 0xF4 && b(1) > 0x8F))
            return 0;
        return 4;
    }
    return 0;
}

void append_u(std::string& out, unsigned v)
{
    char buf[6] = {
        '\\',
        'u',
        hex_digits[(v >> 12) & 0xf],
        hex_digits[(v >> 8) & 0xf],
        hex_digits[(v >> 4) & 0xf],
        hex_digits[v & 0xf]};
    out.append(buf, 6);
}

void marshal(std::string& out, const boost::json::value& v)
{
    switch (v.kind())
    {
    case boost::json::kind::null:
        out += "null";
        break;
    case boost::json::kind::bool_:
        out += v.get_bool() ? "true" : "false";
        break;
    case boost::json::kind::int64:
        append_go_int(out, v.get_int64());
        break;
    case boost::json::kind::uint64:
    {
        char buf[24];
        auto r = std::to_chars(buf, buf + sizeof buf, v.get_uint64());
        out.append(buf, r.ptr);
        break;
    }
    case boost::json::kind::double_:
        append_go_float(out, v.get_double());
        break;
    case boost::json::kind::string:
        append_go_string(out, v.get_string());
        break;
    case boost::json::kind::array:
    {
        out.push_back('[');
        bool first = true;
        for (const auto& e : v.get_array())
        {
            if (!first)
                out.push_back(',');
            first = false;
            marshal(out, e);
        }
        out.push_back(']');
        break;
    }
    case boost::json::kind::object:
    {
        const auto& o = v.get_object();
        std::vector<const boost::json::key_value_pair*> kvs;
        kvs.reserve(o.size());
        for (const auto& kv : o)
            kvs.push_back(&kv);
        std::sort(kvs.begin(), kvs.end(), [](auto* a, auto* b) { return a->key() < b->key(); });
        out.push_back('{');
        bool first = true;
        for (auto* kv : kvs)
        {
            if (!first)
                out.push_back(',');
            first = false;
            append_go_string(out, kv->key());
            out.push_back(':');
            marshal(out, kv->value());
        }
        out.push_back('}');
        break;
    }
    }
}

// Bytes that need a look: control characters, '"', '\\', '<', '>', '&' and non-ASCII.
constexpr auto special = []
{
    std::array<bool, 256> t{};
    for (int c = 0; c < 256; ++c)
        t[c] = c < 0x20 || c >= 0x80 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&';
    return t;
}();

} // namespace

void append_go_string(std::string& out, std::string_view s)
{
    out.push_back('"');
    std::size_t run = 0; // start of bytes copied verbatim
    auto flush = [&](std::size_t i) { out.append(s.data() + run, i - run); };
    for (std::size_t i = 0; i < s.size();)
    {
        auto c = static_cast<unsigned char>(s[i]);
        if (!special[c])
        {
            ++i; // the common case: plain ASCII copied in runs
            continue;
        }
        if (c < 0x80)
        {
            const char* esc = nullptr;
            switch (c)
            {
            case '"':
                esc = "\\\"";
                break;
            case '\\':
                esc = "\\\\";
                break;
            case '\n':
                esc = "\\n";
                break;
            case '\r':
                esc = "\\r";
                break;
            case '\t':
                esc = "\\t";
                break;
            case '\b':
                esc = "\\b";
                break;
            case '\f':
                esc = "\\f";
                break;
            default:
                break;
            }
            if (esc != nullptr)
            {
                flush(i);
                out += esc;
                run = ++i;
            }
            else if (c < 0x20 || c == '<' || c == '>' || c == '&')
            {
                flush(i);
                append_u(out, c);
                run = ++i;
            }
            else
                ++i;
            continue;
        }
        std::size_t n = utf8_seq_len(s, i);
        if (n == 0)
        {
            flush(i);
            out += "\\ufffd";
            run = ++i;
            continue;
        }
        if (n == 3 && c == 0xE2 && static_cast<unsigned char>(s[i + 1]) == 0x80 &&
            (static_cast<unsigned char>(s[i + 2]) == 0xA8 || static_cast<unsigned char>(s[i + 2]) == 0xA9))
        {
            flush(i);
            append_u(out, static_cast<unsigned char>(s[i + 2]) == 0xA8 ? 0x2028 : 0x2029);
            run = i += 3;
            continue;
        }
        i += n;
    }
    flush(s.size());
    out.push_back('"');
}

void append_go_float(std::string& out, double v)
{
    if (!std::isfinite(v))
    {
        out.push_back('0');
        return;
    }
    // Shortest round-trip digits first (scientific), then laid out the way Go's
    // strconv.FormatFloat(v, 'f' or 'e', -1, 64) does. std::to_chars in fixed format would print
    // exact binary digits for large values (123456789012345683968 instead of ...680000).
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
    std::string_view sci(buf, static_cast<std::size_t>(r.ptr - buf));
    bool negative = sci.front() == '-';
    if (negative)
        sci.remove_prefix(1);
    std::size_t e_pos = sci.find('e');
    std::string digits;
    for (char c : sci.substr(0, e_pos))
        if (c != '.')
            digits.push_back(c);
    int exponent = 0;
    std::string_view exp_text = sci.substr(e_pos + 1);
    bool exp_negative = exp_text.front() == '-';
    for (char c : exp_text.substr(1))
        exponent = exponent * 10 + (c - '0');
    if (exp_negative)
        exponent = -exponent;

    if (negative)
        out.push_back('-');
    double a = std::fabs(v);
    if (a != 0 && (a < 1e-6 || a >= 1e21))
    {
        out.push_back(digits[0]);
        if (digits.size() > 1)
        {
            out.push_back('.');
            out.append(digits, 1);
        }
        out.push_back('e');
        out.push_back(exponent < 0 ? '-' : '+');
        int ax = exponent < 0 ? -exponent : exponent;
        out += std::to_string(ax); // Go: at least one digit, so e-7 not e-07
        return;
    }
    if (digits == "0")
    {
        out.push_back('0');
        return;
    }
    if (exponent >= 0)
    {
        auto int_len = static_cast<std::size_t>(exponent) + 1;
        if (digits.size() <= int_len)
        {
            out += digits;
            out.append(int_len - digits.size(), '0');
        }
        else
        {
            out.append(digits, 0, int_len);
            out.push_back('.');
            out.append(digits, int_len);
        }
    }
    else
    {
        out += "0.";
        out.append(static_cast<std::size_t>(-exponent - 1), '0');
        out += digits;
    }
}

std::string go_marshal_sorted(const boost::json::value& v)
{
    std::string out;
    marshal(out, v);
    return out;
}

} // namespace cpamd::usage
