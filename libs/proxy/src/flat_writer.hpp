#pragma once

// Internal: writes a message as flat bytes, either way through the proxy: its head once, then
// each piece of the body as it arrives, in chunked framing when the body is chunked. Each call is
// one gather write, so a small message leaves in a single segment.

#include <array>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/write.hpp>
#include <cpamd/http/flat_header.hpp>
#include <cpamd/http/types.hpp>
#include <cpamd/http/write_now.hpp>
#include <string>
#include <utility>

namespace cpamd::proxy::detail
{

class flat_writer
{
public:
    // `head`: the whole head, blank line included (header_rules writes it).
    flat_writer(std::string head, bool chunked) : framing_(std::move(head)), chunked_(chunked) {}

    // Each call below gives the write to await, [error_code, bytes] (http::write_all: at once
    // when the socket takes it whole): what it refers to stays untouched until the next call.

    // The head alone (event streams: the client sees it before the first event).
    template <class Stream>
    auto write_header(Stream& s)
    {
        start();
        return send(s, {});
    }

    // One piece of the body, with the head if it has not gone yet.
    template <class Stream>
    auto write_piece(Stream& s, boost::asio::const_buffer piece)
    {
        start();
        if (chunked_)
            http::append_chunk_size(piece.size(), framing_);
        return send(s, piece, chunked_ ? crlf : std::string_view());
    }

    // True when finish() has something to send (a last chunk, an unsent head).
    bool pending() const { return chunked_ || (!sent_ && !framing_.empty()); }

    // The end of the body: the last chunk, or the head of an empty message. Only when pending().
    template <class Stream>
    auto finish(Stream& s)
    {
        start();
        if (chunked_)
            framing_ += "0\r\n\r\n";
        return send(s, {});
    }

private:
    static constexpr std::string_view crlf = "\r\n";

    // The framing of the previous write has gone out once a new one starts.
    void start()
    {
        if (sent_)
            framing_.clear();
        sent_ = false;
    }

    template <class Stream>
    auto send(Stream& s, boost::asio::const_buffer piece, std::string_view trailer = {})
    {
        const std::array<boost::asio::const_buffer, 3> pieces{
            boost::asio::buffer(framing_), piece, boost::asio::buffer(trailer)};
        sent_ = true;
        return http::write_all(s, pieces);
    }

    std::string framing_; // what must precede the next piece: the head, a chunk size
    bool chunked_;
    bool sent_ = false; // framing_ went out with the last write
};

} // namespace cpamd::proxy::detail
