#include <array>
#include <boost/beast/core/string.hpp>
#include <cpamd/proxy/header_rules.hpp>

namespace cpamd::proxy
{
namespace
{

namespace beast = boost::beast;
namespace bhttp = beast::http;

constexpr std::array<std::string_view, 9> hop_by_hop = {
    "Connection",
    "Proxy-Connection",
    "Keep-Alive",
    "Proxy-Authenticate",
    "Proxy-Authorization",
    "TE",
    "Trailer",
    "Transfer-Encoding",
    "Upgrade",
};

bool starts_with_nocase(std::string_view s, std::string_view prefix)
{
    return s.size() >= prefix.size() && beast::iequals(s.substr(0, prefix.size()), prefix);
}

// True when `name` is one of the comma-separated tokens of the Connection header.
bool named_in_connection(std::string_view connection, std::string_view name)
{
    while (!connection.empty())
    {
        auto comma = connection.find(',');
        auto token = connection.substr(0, comma);
        while (!token.empty() && (token.front() == ' ' || token.front() == '\t'))
            token.remove_prefix(1);
        while (!token.empty() && (token.back() == ' ' || token.back() == '\t'))
            token.remove_suffix(1);
        if (beast::iequals(token, name))
            return true;
        if (comma == std::string_view::npos)
            break;
        connection.remove_prefix(comma + 1);
    }
    return false;
}

bool stays_on_hop(const bhttp::fields& in, std::string_view name)
{
    return is_hop_by_hop(name) || named_in_connection(in[bhttp::field::connection], name);
}

} // namespace

bool keeps_alive(unsigned version, std::string_view connection)
{
    if (version >= 11)
        return !named_in_connection(connection, "close");
    return named_in_connection(connection, "keep-alive");
}

bool is_hop_by_hop(std::string_view name)
{
    for (auto h : hop_by_hop)
        if (beast::iequals(name, h))
            return true;
    return false;
}

void copy_request_headers(const bhttp::fields& in, bhttp::fields& out, const forwarding& f)
{
    for (const auto& h : in)
    {
        const std::string_view name = h.name_string();
        if (stays_on_hop(in, name) || starts_with_nocase(name, "X-CPAMP-"))
            continue;
        switch (h.name())
        {
        case bhttp::field::host:
        case bhttp::field::content_length:
        case bhttp::field::expect:
        case bhttp::field::authorization:
            continue;
        default:
            if (!beast::iequals(name, "X-Forwarded-For"))
                out.insert(name, h.value());
        }
    }
    out.set(bhttp::field::host, f.upstream_host);

    // Every hop appends the address it saw, as Go's ReverseProxy does.
    std::string chain;
    for (auto [it, end] = in.equal_range("X-Forwarded-For"); it != end; ++it)
    {
        if (!chain.empty())
            chain += ", ";
        chain += it->value();
    }
    if (!f.client_ip.empty())
        chain += chain.empty() ? f.client_ip : ", " + f.client_ip;
    if (!chain.empty())
        out.set("X-Forwarded-For", chain);
    // A front proxy (nginx terminating TLS) knows the scheme better than we do.
    if (in.find("X-Forwarded-Proto") == in.end())
        out.set("X-Forwarded-Proto", "http");
    if (in.find("X-Forwarded-Host") == in.end() && in.find(bhttp::field::host) != in.end())
        out.set("X-Forwarded-Host", in[bhttp::field::host]);
}

void copy_response_headers(const bhttp::fields& in, bhttp::fields& out)
{
    for (const auto& h : in)
    {
        const std::string_view name = h.name_string();
        if (stays_on_hop(in, name) || h.name() == bhttp::field::content_length)
            continue;
        out.insert(name, h.value());
    }
}

} // namespace cpamd::proxy
