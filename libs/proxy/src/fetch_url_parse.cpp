// The URL forms url_fetch accepts: http(s) targets and http/socks5/socks5h proxies.

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cpamd/proxy/url_fetch.hpp>

namespace cpamd::proxy
{
namespace
{

std::string lower(std::string_view s)
{
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

struct authority
{
    std::string userinfo; // as written, still percent-encoded
    std::string host;
    std::string port; // "" when not given
    bool ipv6 = false;
};

// "user:pass@host:port", "[::1]:8080", "host". nullopt for an empty host or a bad port.
std::optional<authority> split_authority(std::string_view a)
{
    authority out;
    if (auto at = a.rfind('@'); at != std::string_view::npos)
    {
        out.userinfo = std::string(a.substr(0, at));
        a.remove_prefix(at + 1);
    }
    std::string_view port;
    bool has_port = false;
    if (!a.empty() && a.front() == '[')
    {
        auto close = a.find(']');
        if (close == std::string_view::npos)
            return std::nullopt;
        out.host = std::string(a.substr(1, close - 1));
        out.ipv6 = true;
        auto rest = a.substr(close + 1);
        if (!rest.empty())
        {
            if (rest.front() != ':')
                return std::nullopt;
            port = rest.substr(1);
            has_port = true;
        }
    }
    else
    {
        auto colon = a.rfind(':');
        out.host = std::string(a.substr(0, colon));
        if (colon != std::string_view::npos)
        {
            port = a.substr(colon + 1);
            has_port = true;
        }
    }
    if (out.host.empty())
        return std::nullopt;
    if (has_port)
    {
        unsigned n = 0;
        auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), n);
        if (port.empty() || ec != std::errc{} || end != port.data() + port.size() || n == 0 || n > 65535)
            return std::nullopt;
        out.port = std::string(port);
    }
    return out;
}

std::string percent_decode(std::string_view s)
{
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i)
    {
        unsigned v = 0;
        if (s[i] == '%' && i + 2 < s.size() &&
            std::from_chars(s.data() + i + 1, s.data() + i + 3, v, 16).ptr == s.data() + i + 3)
        {
            out += static_cast<char>(v);
            i += 2;
        }
        else
            out += s[i];
    }
    return out;
}

} // namespace

std::optional<http_url> parse_http_url(std::string_view url)
{
    auto sep = url.find("://");
    if (sep == std::string_view::npos)
        return std::nullopt;
    auto scheme = lower(url.substr(0, sep));
    if (scheme != "http" && scheme != "https")
        return std::nullopt;
    auto rest = url.substr(sep + 3);
    auto end = rest.find_first_of("/?#");
    auto a = split_authority(rest.substr(0, end));
    if (!a || !a->userinfo.empty() || rest.substr(0, end).find('@') != std::string_view::npos)
        return std::nullopt;
    http_url out;
    out.tls = scheme == "https";
    out.host = a->host;
    out.port = a->port.empty() ? (out.tls ? "443" : "80") : a->port;
    out.host_header = (a->ipv6 ? "[" + a->host + "]" : a->host) + (a->port.empty() ? "" : ":" + a->port);
    std::string_view target = end == std::string_view::npos ? std::string_view() : rest.substr(end);
    target = target.substr(0, target.find('#'));
    out.target = target.empty() || target.front() != '/' ? "/" + std::string(target) : std::string(target);
    return out;
}

proxy_parse parse_proxy_url(std::string_view url)
{
    auto sep = url.find("://");
    if (sep == std::string_view::npos)
        return {std::nullopt, "invalid proxy URL: expected scheme://host:port"};
    auto scheme = lower(url.substr(0, sep));
    outbound_proxy p;
    std::string default_port = "1080";
    if (scheme == "http")
    {
        p.type = outbound_proxy::kind::http;
        default_port = "80";
    }
    else if (scheme == "socks5")
        p.type = outbound_proxy::kind::socks5;
    else if (scheme == "socks5h")
        p.type = outbound_proxy::kind::socks5h;
    else
        return {
            std::nullopt, "unsupported proxy scheme \"" + scheme + "\" (expected http, socks5 or socks5h)"};
    auto rest = url.substr(sep + 3);
    auto path = rest.find_first_of("/?#");
    if (path != std::string_view::npos && rest.substr(path) != "/")
        return {std::nullopt, "invalid proxy URL: a proxy URL has no path"};
    auto a = split_authority(rest.substr(0, path));
    if (!a)
        return {std::nullopt, "invalid proxy URL: bad host or port"};
    p.host = a->host;
    p.port = a->port.empty() ? default_port : a->port;
    if (!a->userinfo.empty())
    {
        auto colon = a->userinfo.find(':');
        p.user = percent_decode(std::string_view(a->userinfo).substr(0, colon));
        if (colon != std::string::npos)
            p.password = percent_decode(std::string_view(a->userinfo).substr(colon + 1));
    }
    return {std::move(p), {}};
}

} // namespace cpamd::proxy
