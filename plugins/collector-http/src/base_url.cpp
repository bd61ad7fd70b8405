#include "base_url.hpp"

namespace cpamd::collector_http
{

std::string base_url::host_header() const
{
    std::string h = host.find(':') != std::string::npos ? "[" + host + "]" : host;
    if (port != (tls ? "443" : "80"))
        h += ":" + port;
    return h;
}

std::optional<base_url> parse_base_url(std::string_view text)
{
    base_url u;
    if (text.starts_with("http://"))
        text.remove_prefix(7);
    else if (text.starts_with("https://"))
    {
        u.tls = true;
        text.remove_prefix(8);
    }
    else
        return std::nullopt;
    auto slash = text.find('/');
    std::string_view authority = text.substr(0, slash);
    if (slash != std::string_view::npos)
        u.prefix = std::string(text.substr(slash));
    while (!u.prefix.empty() && u.prefix.back() == '/')
        u.prefix.pop_back();
    if (auto at = authority.rfind('@'); at != std::string_view::npos)
        return std::nullopt; // credentials in the URL are not supported (and would be logged)
    if (authority.starts_with("["))
    {
        auto close = authority.find(']');
        if (close == std::string_view::npos)
            return std::nullopt;
        u.host = std::string(authority.substr(1, close - 1));
        authority.remove_prefix(close + 1);
        if (authority.starts_with(":"))
            u.port = std::string(authority.substr(1));
        else if (!authority.empty())
            return std::nullopt;
    }
    else
    {
        auto colon = authority.rfind(':');
        u.host = std::string(authority.substr(0, colon));
        if (colon != std::string_view::npos)
            u.port = std::string(authority.substr(colon + 1));
    }
    if (u.port.empty())
        u.port = u.tls ? "443" : "80";
    if (u.host.empty() || u.port.find_first_not_of("0123456789") != std::string::npos)
        return std::nullopt;
    return u;
}

} // namespace cpamd::collector_http
