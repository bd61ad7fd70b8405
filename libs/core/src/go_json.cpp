#include <boost/json/serialize.hpp>
#include <charconv>
#include <cmath>
#include <cpamd/core/go_json.hpp>

namespace cpamd::go_json
{
namespace
{

bool has_double(const boost::json::value& v)
{
    switch (v.kind())
    {
    case boost::json::kind::double_:
        return true;
    case boost::json::kind::array:
        for (const auto& e : v.get_array())
            if (has_double(e))
                return true;
        return false;
    case boost::json::kind::object:
        for (const auto& kv : v.get_object())
            if (has_double(kv.value()))
                return true;
        return false;
    default:
        return false;
    }
}

// Boost.JSON's own serializer, except for doubles (append_number).
void write(const boost::json::value& v, std::string& out)
{
    switch (v.kind())
    {
    case boost::json::kind::double_:
        append_number(v.get_double(), out);
        return;
    case boost::json::kind::array:
    {
        out.push_back('[');
        bool first = true;
        for (const auto& e : v.get_array())
        {
            if (!std::exchange(first, false))
                out.push_back(',');
            write(e, out);
        }
        out.push_back(']');
        return;
    }
    case boost::json::kind::object:
    {
        out.push_back('{');
        bool first = true;
        for (const auto& kv : v.get_object())
        {
            if (!std::exchange(first, false))
                out.push_back(',');
            out += boost::json::serialize(kv.key());
            out.push_back(':');
            write(kv.value(), out);
        }
        out.push_back('}');
        return;
    }
    default:
        out += boost::json::serialize(v);
    }
}

} // namespace

void append_number(double f, std::string& out)
{
    if (!std::isfinite(f))
    {
        out += "null"; // Go refuses to encode these; null keeps the document valid
        return;
    }
    char buf[64];
    const double a = std::fabs(f);
    // Go (strconv 'f' or 'e' with the shortest digits): plain decimals between 1e-6 and 1e21.
    const bool exponent = a != 0 && (a < 1e-6 || a >= 1e21);
    const auto r = std::to_chars(
        std::begin(buf), std::end(buf), f, exponent ? std::chars_format::scientific : std::chars_format::fixed
    );
    std::string_view text(buf, r.ptr - buf);
    // Go writes e-07 as e-7: a two-digit exponent loses its leading zero.
    const auto e = text.find('e');
    if (e != std::string_view::npos && text.size() == e + 4 && text[e + 2] == '0')
    {
        out += text.substr(0, e + 2);
        out += text.substr(e + 3);
        return;
    }
    out += text;
}

void escape_html_in_place(std::string& s)
{
    bool needed = false;
    for (unsigned char c : s)
        if (c == '<' || c == '>' || c == '&' || c == 0xE2)
        {
            needed = true;
            break;
        }
    if (!needed)
        return;
    std::string out;
    out.reserve(s.size() + 16);
    for (std::size_t i = 0; i < s.size(); ++i)
    {
        char c = s[i];
        if (c == '<')
            out += "\\u003c";
        else if (c == '>')
            out += "\\u003e";
        else if (c == '&')
            out += "\\u0026";
        else if (static_cast<unsigned char>(c) == 0xE2 && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x80 && (static_cast<unsigned char>(s[i + 2]) == 0xA8 || static_cast<unsigned char>(s[i + 2]) == 0xA9))
        {
            out += static_cast<unsigned char>(s[i + 2]) == 0xA8 ? "\\u2028" : "\\u2029";
            i += 2;
        }
        else
            out.push_back(c);
    }
    s = std::move(out);
}

std::string encode(const boost::json::value& v)
{
    std::string s;
    if (has_double(v))
        write(v, s);
    else
        s = boost::json::serialize(v);
    escape_html_in_place(s);
    s.push_back('\n');
    return s;
}

} // namespace cpamd::go_json
