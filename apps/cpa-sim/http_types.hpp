#pragma once

// What an HTTP handler returns: a fixed body, or a body the session streams (large download,
// server-sent events) without buffering it.

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace cpamd::sim
{

using http_request = boost::beast::http::request<boost::beast::http::string_body>;

struct reply
{
    enum class body_kind
    {
        fixed,
        download, // download_bytes of a known pattern, written in chunks
        sse       // sse_events events, sse_interval_ms apart, chunked
    };

    unsigned status = 200;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    body_kind kind = body_kind::fixed;
    std::uint64_t download_bytes = 0;
    int sse_events = 0;
    int sse_interval_ms = 0;
    std::vector<std::uint64_t> popped; // usage-queue records in the body: fate known after the write

    void set(std::string name, std::string value) { headers.emplace_back(std::move(name), std::move(value)); }
};

// Byte `i` of the large download: a repeating pattern tests can check without storing it.
inline char download_byte(std::uint64_t i)
{
    return static_cast<char>('a' + (i % 26));
}

struct request_info
{
    std::string peer_ip;   // TCP peer
    std::string client_ip; // gin ClientIP(): X-Forwarded-For / X-Real-IP / peer
};

} // namespace cpamd::sim
