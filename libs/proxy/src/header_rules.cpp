#include <array>
#include <boost/beast/core/string.hpp>
#include <cpamd/proxy/header_rules.hpp>
#include <string>
#include <vector>

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

void prepare_upstream_request(bhttp::fields& h, const forwarding& f)
{
    // Read what the edits need before they change it.
    std::string chain;
    for (auto [it, end] = h.equal_range("X-Forwarded-For"); it != end; ++it)
    {
        if (!chain.empty())
            chain += ", ";
        chain += it->value();
    }
    if (!f.client_ip.empty())
        chain += chain.empty() ? f.client_ip : ", " + f.client_ip;
    const bool has_proto = h.find("X-Forwarded-Proto") != h.end();
    const bool has_forwarded_host = h.find("X-Forwarded-Host") != h.end();
    const std::string original_host(h[bhttp::field::host]);

    std::vector<std::string> drop;
    for (const auto& field : h)
    {
        const std::string_view name = field.name_string();
        if (stays_on_hop(h, name) || starts_with_nocase(name, "X-CPAMP-") ||
            field.name() == bhttp::field::expect)
            drop.emplace_back(name);
    }
    for (const auto& name : drop)
        h.erase(name);

    h.set(bhttp::field::host, f.upstream_host);
    // Every hop appends the address it saw, as Go's ReverseProxy does.
    if (!chain.empty())
        h.set("X-Forwarded-For", chain);
    // A front proxy (nginx terminating TLS) knows the scheme better than we do.
    if (!has_proto)
        h.set("X-Forwarded-Proto", "http");
    if (!has_forwarded_host && !original_host.empty())
        h.set("X-Forwarded-Host", original_host);
}

void prepare_client_response(bhttp::fields& h)
{
    // Names listed in Connection first, while Connection is still there to read.
    std::vector<std::string> drop;
    for (const auto& f : h)
        if (stays_on_hop(h, f.name_string()))
            drop.emplace_back(f.name_string());
    for (const auto& name : drop)
        h.erase(name);
}

} // namespace cpamd::proxy
