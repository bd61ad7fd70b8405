#include <boost/json/serialize.hpp>
#include <cpamd/core/go_json.hpp>

namespace cpamd::go_json
{

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
    std::string s = boost::json::serialize(v);
    escape_html_in_place(s);
    s.push_back('\n');
    return s;
}

} // namespace cpamd::go_json
