#pragma once

// Which content coding to send a page in, from the request's Accept-Encoding (RFC 9110 §12.5.3).

#include <string_view>

namespace cpamd::api
{

// In order of preference when a client rates them equally: smallest first.
enum class content_coding
{
    brotli,
    gzip,
    identity
};

// The coding with the highest q-value the header allows; ties go to the smaller encoding. A coding
// the header does not name takes the q of "*", if any, else 0, and q=0 means "not acceptable".
// When neither br nor gzip is acceptable the answer is identity, even if the header refuses it too
// (RFC 9110 lets a server send it rather than 406). No header: identity.
content_coding choose_content_coding(std::string_view accept_encoding);

} // namespace cpamd::api
