#pragma once

// Feeding a Beast parser what a buffer already holds, without a read: what
// beast::http::async_read_some does first, minus its composed operation and its round trip
// through the scheduler. The session uses it for a request header that arrived whole, the proxy
// for CPA's answers.

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>

namespace cpamd::http
{

// Parses what `buffer` holds and consumes it. False when the parser needs more bytes than that
// (`ec` clear); true when it made progress or failed (`ec`; need_buffer just means a
// buffer_body's buffer is full).
template <class Parser>
bool parse_buffered(boost::beast::flat_buffer& buffer, Parser& p, boost::system::error_code& ec)
{
    ec = {};
    if (buffer.size() == 0)
        return false;
    buffer.consume(p.put(buffer.data(), ec));
    if (ec == boost::beast::http::error::need_more)
    {
        ec = {};
        return false;
    }
    return true;
}

} // namespace cpamd::http
