#include <algorithm>
#include <cctype>
#include <cpamd/collectors/resp_endpoint.hpp>

namespace cpamd::collectors
{
namespace
{

bool starts_with_nocase(std::string_view s, std::string_view prefix)
{
    return s.size() >= prefix.size() &&
           std::equal(
               prefix.begin(),
               prefix.end(),
               s.begin(),
               [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == b; }
           );
}

bool valid_port(std::string_view p)
{
    if (p.empty() || p.size() > 5 ||
        !std::all_of(p.begin(), p.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return false;
    auto n = std::stoul(std::string(p));
    return n > 0 && n <= 65535;
}

} // namespace

std::optional<resp_endpoint> parse_endpoint(std::string_view url)
{
    resp_endpoint ep;
    if (starts_with_nocase(url, "https://"))
    {
        ep.tls = true;
        url.remove_prefix(8);
    }
    else if (starts_with_nocase(url, "http://"))
        url.remove_prefix(7);
    else if (url.find("://") != std::string_view::npos)
        return std::nullopt;

    auto authority = url.substr(0, url.find_first_of("/?#"));
    if (authority.find('@') != std::string_view::npos)
        return std::nullopt; // userinfo has no meaning here
    std::string_view port;
    if (!authority.empty() && authority.front() == '[')
    {
        auto close = authority.find(']');
        if (close == std::string_view::npos)
            return std::nullopt;
        ep.host = std::string(authority.substr(1, close - 1));
        auto rest = authority.substr(close + 1);
        if (!rest.empty())
        {
            if (rest.front() != ':')
                return std::nullopt;
            port = rest.substr(1);
            if (!valid_port(port))
                return std::nullopt;
        }
    }
    else
    {
        auto colon = authority.rfind(':');
        if (colon != std::string_view::npos)
        {
            port = authority.substr(colon + 1);
            if (!valid_port(port))
                return std::nullopt;
            authority = authority.substr(0, colon);
        }
        ep.host = std::string(authority);
    }
    if (ep.host.empty())
        return std::nullopt;
    ep.port = port.empty() ? (ep.tls ? "443" : "80") : std::string(port);
    return ep;
}

} // namespace cpamd::collectors
