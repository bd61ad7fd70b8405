#pragma once

// Internal: writing a response from a streaming route (the server writes nothing for those):
// whole replies with CORS applied, and chunked bodies.

#include <boost/asio/write.hpp>
#include <boost/beast/http/chunk_encode.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/serializer.hpp>
#include <boost/beast/http/write.hpp>
#include <cpamd/http/cors.hpp>
#include <cpamd/http/exchange.hpp>
#include <cpamd/http/reply.hpp>
#include <string>
#include <vector>

namespace cpamd::api::detail
{

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;

// Sends `res` on the exchange's connection. `close` also ends the connection afterwards (the
// request body was not read to its end).
asio::awaitable<void> send_reply(
    http::exchange& ex, http::response res, const std::vector<std::string>& cors_origins, bool close = false
);

// A chunked response: begin() writes the header, chunk() one piece, end() the last chunk.
// Each returns false when the peer is gone (then the connection is marked to close).
class chunked_writer
{
public:
    chunked_writer(http::exchange& ex, const std::vector<std::string>& cors_origins);
    asio::awaitable<bool> begin(bhttp::response<bhttp::empty_body> header);
    asio::awaitable<bool> chunk(const std::string& data);
    asio::awaitable<bool> end();
    bool started() const { return started_; }

private:
    http::exchange& ex_;
    const std::vector<std::string>& cors_;
    bool started_ = false;
};

} // namespace cpamd::api::detail
