#include <algorithm>
#include <array>
#include <boost/beast/core/string.hpp>
#include <charconv>
#include <cpamd/http/field_value.hpp>
#include <cpamd/http/flat_header.hpp>
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
    return http::any_list_token(
        connection, [&](std::string_view token) { return beast::iequals(token, name); }
    );
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

bool stays_on_hop(bhttp::field code, std::string_view name, std::string_view connection)
{
    return is_hop_by_hop_field(code) || (!connection.empty() && named_in_connection(connection, name));
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

void append_upstream_head(const bhttp::request_header<>& in, const upstream_head& u, std::string& out)
{
    http::append_request_line(in.method_string(), u.target, out);
    const std::string_view connection = http::field_value(in, bhttp::field::connection);
    std::string chain;
    std::string_view original_host;
    bool has_proto = false;
    bool has_forwarded_host = false;
    for (const auto& field : in)
    {
        const auto code = field.name();
        const std::string_view name = field.name_string();
        switch (code)
        {
        case bhttp::field::host:
            original_host = field.value();
            continue;
        case bhttp::field::expect:
        case bhttp::field::content_length: // end_head() frames the body
            continue;
        case bhttp::field::authorization:
            if (u.authorization)
                continue;
            break;
        case bhttp::field::forwarded:
            if (!u.client_chain)
                continue;
            break;
        case bhttp::field::unknown:
            if (!u.client_chain && beast::iequals(name, "X-Real-IP"))
                continue;
            if (beast::iequals(name, "X-Forwarded-For"))
            {
                if (!u.client_chain)
                    continue;
                if (!chain.empty())
                    chain += ", ";
                chain += field.value();
                continue;
            }
            if (starts_with_nocase(name, "X-CPAMP-"))
                continue;
            has_proto = has_proto || beast::iequals(name, "X-Forwarded-Proto");
            has_forwarded_host = has_forwarded_host || beast::iequals(name, "X-Forwarded-Host");
            break;
        default:
            break;
        }
        if (stays_on_hop(code, name, connection))
            continue;
        if (std::any_of(
                u.set_headers.begin(),
                u.set_headers.end(),
                [&](const auto& h) { return beast::iequals(h.first, name); }
            ))
            continue;
        if (std::any_of(
                u.drop_headers.begin(),
                u.drop_headers.end(),
                [&](const auto& h) { return beast::iequals(h, name); }
            ))
            continue;
        http::append_field(field, out);
    }
    if (!u.client_ip.empty())
    {
        if (!chain.empty())
            chain += ", ";
        chain += u.client_ip;
    }

    http::append_field("Host", u.upstream_host, out);
    if (u.authorization)
        http::append_field("Authorization", *u.authorization, out);
    // Every hop appends the address it saw, as Go's ReverseProxy does.
    if (!chain.empty())
        http::append_field("X-Forwarded-For", chain, out);
    // A front proxy (nginx terminating TLS) knows the scheme better than we do.
    if (!has_proto)
        http::append_field("X-Forwarded-Proto", "http", out);
    if (!has_forwarded_host && !original_host.empty())
        http::append_field("X-Forwarded-Host", original_host, out);
    for (const auto& [name, value] : u.set_headers)
        http::append_field(name, value, out);
}

void end_head(const body_framing& framing, std::string& out)
{
    if (framing.how == body_framing::kind::length)
    {
        char digits[24];
        const auto end = std::to_chars(std::begin(digits), std::end(digits), framing.length).ptr;
        http::append_field("Content-Length", std::string_view(digits, end - digits), out);
    }
    else if (framing.how == body_framing::kind::chunked)
        http::append_field("Transfer-Encoding", "chunked", out);
    out += "\r\n";
}

void append_client_head(const response_head& in, const client_head& c, std::string& out)
{
    http::append_status_line(11, in.status(), in.reason(), out);
    const std::string_view connection = in.value(bhttp::field::connection);
    auto passes = [&](const response_head::field_view& field)
    {
        switch (field.code)
        {
        case bhttp::field::access_control_allow_methods:
        case bhttp::field::access_control_allow_headers:
            if (c.cors.any)
                return false;
            break;
        case bhttp::field::access_control_allow_origin:
            if (!c.cors.allow_origin.empty())
                return false;
            break;
        case bhttp::field::vary:
            if (c.cors.vary_origin)
                return false;
            break;
        default:
            break;
        }
        return !stays_on_hop(field.code, field.name, connection);
    };
    // A head's lines lie one after another: a run of passing fields is copied at once.
    std::string_view run;
    for (std::size_t i = 0; i < in.size(); ++i)
    {
        const auto field = in.field(i);
        if (!passes(field))
        {
            out += run;
            run = {};
        }
        else
            run = run.empty() ? field.line : std::string_view(run.data(), run.size() + field.line.size());
    }
    out += run;
    if (c.cors.any)
    {
        if (!c.cors.allow_origin.empty())
            http::append_field("Access-Control-Allow-Origin", c.cors.allow_origin, out);
        if (c.cors.vary_origin)
            http::append_field("Vary", "Origin", out);
        http::append_field("Access-Control-Allow-Methods", http::cors_headers::allow_methods, out);
        http::append_field("Access-Control-Allow-Headers", http::cors_headers::allow_headers, out);
    }
    if (!c.keep_alive)
        http::append_field("Connection", "close", out);
    end_head(body_framing{c.chunked ? body_framing::kind::chunked : body_framing::kind::none}, out);
}

} // namespace cpamd::proxy
