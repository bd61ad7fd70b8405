#include "panel_page.hpp"

#include <cpamd/http/reply.hpp>

namespace cpamd::api
{
namespace
{

std::string_view without_weak_prefix(std::string_view tag)
{
    return tag.starts_with("W/") ? tag.substr(2) : tag;
}

} // namespace

bool if_none_match_lists(std::string_view if_none_match, std::string_view etag)
{
    etag = without_weak_prefix(etag);
    // A list of entity tags; a comma may sit inside one's quotes, so read tag by tag.
    for (std::size_t i = 0; i < if_none_match.size();)
    {
        const char c = if_none_match[i];
        if (c == ' ' || c == '\t' || c == ',')
        {
            ++i;
            continue;
        }
        if (c == '*')
            return true;
        const auto start = if_none_match.compare(i, 2, "W/") == 0 ? i + 2 : i;
        if (start >= if_none_match.size() || if_none_match[start] != '"')
            return false; // malformed: no match, the page is sent
        const auto close = if_none_match.find('"', start + 1);
        if (close == std::string_view::npos)
            return false;
        if (if_none_match.substr(start, close + 1 - start) == etag)
            return true;
        i = close + 1;
    }
    return false;
}

http::response panel_reply(const http::exchange& ex, const panel_page& page)
{
    const bool unchanged = if_none_match_lists(ex.header_value("If-None-Match"), page.etag);
    auto res = unchanged ? http::empty_reply(304)
                         : http::text_reply(200, std::string(page.body), "text/html; charset=utf-8");
    using field = http::bhttp::field;
    if (!unchanged && !page.content_encoding.empty())
        res.set(field::content_encoding, page.content_encoding);
    res.set(field::etag, page.etag);
    // Always asked again, answered by a 304 while unchanged: a new build shows at the next load.
    res.set(field::cache_control, "no-cache");
    res.set(field::vary, "Accept-Encoding");
    res.set("Content-Security-Policy", page.csp);
    res.set("X-Content-Type-Options", "nosniff");
    res.set("Referrer-Policy", "no-referrer");
    res.set(field::x_frame_options, "DENY"); // frame-ancestors for browsers without CSP 2
    return res;
}

} // namespace cpamd::api
