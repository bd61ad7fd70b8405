#pragma once

// The reply for a panel page, whichever source it comes from (built in, PANEL_PATH, placeholder):
// the page or a 304, with the headers that keep it fresh, uncacheable by others and unframeable.

#include <cpamd/http/exchange.hpp>
#include <cpamd/http/types.hpp>
#include <string>
#include <string_view>

namespace cpamd::api
{

struct panel_page
{
    std::string_view body;             // in `content_encoding`
    std::string_view content_encoding; // "" for identity
    std::string etag;                  // quoted, different per coding (a strong validator)
    std::string_view csp;              // Content-Security-Policy
};

// 304 without a body when the request's If-None-Match names the page's ETag (or is "*"), else
// 200 with the page. Both carry ETag, Cache-Control: no-cache, Vary: Accept-Encoding, the CSP and
// the other security headers.
http::response panel_reply(const http::exchange& ex, const panel_page& page);

// True when an If-None-Match value lists `etag` (weak comparison, RFC 9110 §13.1.2) or is "*".
bool if_none_match_lists(std::string_view if_none_match, std::string_view etag);

} // namespace cpamd::api
