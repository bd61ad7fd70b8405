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
#include <string>
#include <utility>

namespace cpamd::proxy::detail
{

class flat_writer
{
public:
    // `head`: the whole head, blank line included (header_rules writes it).
    flat_writer(std::string head, bool chunked) : framing_(std::move(head)), chunked_(chunked) {}

    // The head alone (event streams: the client sees it before the first event).
    template <class Stream>
    boost::asio::awaitable<boost::system::error_code> write_header(Stream& s)
    {
        return send(s, {});
    }

    // One piece of the body, with the header if it has not gone yet.
    template <class Stream>
    boost::asio::awaitable<boost::system::error_code> write_piece(Stream& s, boost::asio::const_buffer piece)
    {
        if (chunked_)
            http::append_chunk_size(piece.size(), framing_);
        return send(s, piece, chunked_ ? crlf : std::string_view());
    }

    // True when finish() has something to send (a last chunk, an unsent head).
    bool pending() const { return chunked_ || !framing_.empty(); }

    // The end of the body: the last chunk, or the head of an empty message.
    template <class Stream>
    boost::asio::awaitable<boost::system::error_code> finish(Stream& s)
    {
        if (chunked_)
            framing_ += "0\r\n\r\n";
        if (framing_.empty())
            co_return boost::system::error_code{};
        co_return co_await send(s, {});
    }

private:
    static constexpr std::string_view crlf = "\r\n";

    template <class Stream>
    boost::asio::awaitable<boost::system::error_code>
    send(Stream& s, boost::asio::const_buffer piece, std::string_view trailer = {})
    {
        const std::array<boost::asio::const_buffer, 3> pieces{
            boost::asio::buffer(framing_), piece, boost::asio::buffer(trailer)};
        auto [ec, n] = co_await boost::asio::async_write(s, pieces, http::use_nothrow);
        framing_.clear();
        co_return ec;
    }

    std::string framing_; // what must precede the next piece: the head, a chunk size
    bool chunked_;
};

} // namespace cpamd::proxy::detail
