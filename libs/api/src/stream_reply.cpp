#include "stream_reply.hpp"

#include <cctype>
#include <chrono>

namespace cpamd::api::detail
{
namespace
{

constexpr auto write_timeout = std::chrono::seconds(60);

// The request's own keep-alive wish (HTTP/1.1 default on, 1.0 default off), from the header the
// session parsed; the parser itself has been moved into the route's body parser by now.
bool client_keep_alive(const http::request_header& h)
{
    std::string conn(h[bhttp::field::connection]);
    for (auto& ch : conn)
        ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (h.version() >= 11)
        return conn.find("close") == std::string::npos;
    return conn.find("keep-alive") != std::string::npos;
}

} // namespace

asio::awaitable<void>
send_reply(http::exchange& ex, http::response res, const std::vector<std::string>& cors_origins, bool close)
{
    auto& c = *ex.connection();
    res.version(11);
    bool keep = !close && client_keep_alive(ex.header());
    res.keep_alive(keep);
    http::apply_cors(res, ex.header_value("Origin"), cors_origins);
    res.prepare_payload();
    c.deadline.expires_after(write_timeout);
    ex.status_written = res.result_int();
    auto [ec, n] = co_await bhttp::async_write(c.stream, res, http::use_nothrow);
    if (ec || !keep)
        ex.close_after = true;
}

chunked_writer::chunked_writer(http::exchange& ex, const std::vector<std::string>& cors_origins)
    : ex_(ex), cors_(cors_origins)
{
}

asio::awaitable<bool> chunked_writer::begin(bhttp::response<bhttp::empty_body> header)
{
    auto& c = *ex_.connection();
    header.version(11);
    header.keep_alive(client_keep_alive(ex_.header()));
    header.chunked(true);
    // apply_cors works on the string-body response type; copy its fields over.
    http::response cors_probe;
    http::apply_cors(cors_probe, ex_.header_value("Origin"), cors_);
    for (const auto& f : cors_probe)
        header.set(f.name_string(), f.value());
    started_ = true;
    ex_.status_written = header.result_int();
    bhttp::response_serializer<bhttp::empty_body> sr{header};
    c.deadline.expires_after(write_timeout);
    auto [ec, n] = co_await bhttp::async_write_header(c.stream, sr, http::use_nothrow);
    if (ec)
        ex_.close_after = true;
    if (!header.keep_alive())
        ex_.close_after = true;
    co_return !ec;
}

asio::awaitable<bool> chunked_writer::chunk(const std::string& data)
{
    if (data.empty())
        co_return true;
    auto& c = *ex_.connection();
    c.deadline.expires_after(write_timeout);
    auto [ec, n] =
        co_await asio::async_write(c.stream, bhttp::make_chunk(asio::buffer(data)), http::use_nothrow);
    if (ec)
        ex_.close_after = true;
    co_return !ec;
}

asio::awaitable<bool> chunked_writer::end()
{
    auto& c = *ex_.connection();
    c.deadline.expires_after(write_timeout);
    auto [ec, n] = co_await asio::async_write(c.stream, bhttp::make_chunk_last(), http::use_nothrow);
    if (ec)
        ex_.close_after = true;
    co_return !ec;
}

} // namespace cpamd::api::detail
