#include <array>
#include <boost/beast/core/string.hpp>
#include <cpamd/proxy/header_rules.hpp>
#include <string>

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

// The hop-by-hop names all have a Beast field code, so the common case compares no strings.
bool is_hop_by_hop_field(bhttp::field f)
{
    switch (f)
    {
    case bhttp::field::connection:
    case bhttp::field::proxy_connection:
    case bhttp::field::keep_alive:
    case bhttp::field::proxy_authenticate:
    case bhttp::field::proxy_authorization:
    case bhttp::field::te:
    case bhttp::field::trailer:
    case bhttp::field::transfer_encoding:
    case bhttp::field::upgrade:
        return true;
    default:
        return false;
    }
}

// What Connection names, copied: erasing fields would leave a view of it dangling. Usually empty
// or a plain "keep-alive"/"close", which names nothing else worth a lookup.
std::string connection_tokens(const bhttp::fields& h)
{
    auto it = h.find(bhttp::field::connection);
    return it == h.end() ? std::string{} : std::string(it->value());
}

bool stays_on_hop(const bhttp::fields::value_type& field, std::string_view connection)
{
    return is_hop_by_hop_field(field.name()) ||
           (!connection.empty() && named_in_connection(connection, field.name_string()));
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
    // One pass: note what the edits need, drop what must not go up. Every X-Forwarded-For comes
    // out too; the joined chain goes back in at the end.
    const std::string connection = connection_tokens(h);
    std::string chain;
    std::string original_host;
    bool has_proto = false;
    bool has_forwarded_host = false;
    for (auto it = h.begin(); it != h.end();)
    {
        bool drop = stays_on_hop(*it, connection) || it->name() == bhttp::field::expect;
        if (it->name() == bhttp::field::host)
            original_host = it->value();
        else if (it->name() == bhttp::field::unknown)
        {
            const std::string_view name = it->name_string();
            if (beast::iequals(name, "X-Forwarded-For"))
            {
                if (!chain.empty())
                    chain += ", ";
                chain += it->value();
                drop = true;
            }
            else if (beast::iequals(name, "X-Forwarded-Proto"))
                has_proto = true;
            else if (beast::iequals(name, "X-Forwarded-Host"))
                has_forwarded_host = true;
            else if (starts_with_nocase(name, "X-CPAMP-"))
                drop = true;
        }
        it = drop ? h.erase(it) : std::next(it);
    }
    if (!f.client_ip.empty())
    {
        if (!chain.empty())
            chain += ", ";
        chain += f.client_ip;
    }

    h.set(bhttp::field::host, f.upstream_host);
    // Every hop appends the address it saw, as Go's ReverseProxy does.
    if (!chain.empty())
        h.insert("X-Forwarded-For", chain);
    // A front proxy (nginx terminating TLS) knows the scheme better than we do.
    if (!has_proto)
        h.insert("X-Forwarded-Proto", "http");
    if (!has_forwarded_host && !original_host.empty())
        h.insert("X-Forwarded-Host", original_host);
}

void prepare_client_response(bhttp::fields& h)
{
    const std::string connection = connection_tokens(h);
    for (auto it = h.begin(); it != h.end();)
        it = stays_on_hop(*it, connection) ? h.erase(it) : std::next(it);
}

} // namespace cpamd::proxy
