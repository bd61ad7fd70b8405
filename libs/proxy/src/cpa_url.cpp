#include <cctype>
#include <charconv>
#include <cpamd/core/ascii.hpp>
#include <cpamd/proxy/cpa_url.hpp>

namespace cpamd::proxy
{
namespace
{

bool strip_suffix(std::string& s, std::string_view suffix)
{
    if (!s.ends_with(suffix))
        return false;
    s.resize(s.size() - suffix.size());
    return true;
}

std::string lower(std::string_view s)
{
    std::string out(s);
    for (auto& c : out)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

} // namespace

std::string normalize_base_url(std::string_view raw)
{
    std::string s(ascii::trim(raw));
    if (s.empty())
        return s;
    if (s.find("://") == std::string::npos)
        s = "http://" + s;
    while (!s.empty() && s.back() == '/')
        s.pop_back();
    if (!strip_suffix(s, "/v0/management"))
        strip_suffix(s, "/v0");
    return s;
}

std::optional<cpa_url> parse_cpa_url(std::string_view url)
{
    auto sep = url.find("://");
    if (sep == std::string_view::npos)
        return std::nullopt;
    cpa_url out;
    std::string scheme = lower(url.substr(0, sep));
    if (scheme == "https")
        out.tls = true;
    else if (scheme != "http")
        return std::nullopt;
    std::string_view rest = url.substr(sep + 3);
    if (rest.find_first_of("?#") != std::string_view::npos)
        return std::nullopt;
    auto slash = rest.find('/');
    std::string_view authority = rest.substr(0, slash);
    out.base_path = slash == std::string_view::npos ? std::string() : std::string(rest.substr(slash));
    while (!out.base_path.empty() && out.base_path.back() == '/')
        out.base_path.pop_back();
    if (authority.empty() || authority.find('@') != std::string_view::npos)
        return std::nullopt;

    std::string_view host = authority;
    std::string_view port;
    if (authority.front() == '[')
    {
        auto close = authority.find(']');
        if (close == std::string_view::npos)
            return std::nullopt;
        host = authority.substr(1, close - 1);
        std::string_view after = authority.substr(close + 1);
        if (!after.empty())
        {
            if (after.front() != ':')
                return std::nullopt;
            port = after.substr(1);
        }
    }
    else if (auto colon = authority.rfind(':'); colon != std::string_view::npos)
    {
        host = authority.substr(0, colon);
        port = authority.substr(colon + 1);
    }
    if (host.empty())
        return std::nullopt;
    if (!port.empty())
    {
        unsigned value = 0;
        auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
        if (ec != std::errc{} || p != port.data() + port.size() || value == 0 || value > 65535)
            return std::nullopt;
    }
    out.host = std::string(host);
    out.port = port.empty() ? (out.tls ? "443" : "80") : std::string(port);
    out.host_header = std::string(authority);
    return out;
}

} // namespace cpamd::proxy
