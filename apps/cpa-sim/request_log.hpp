#pragma once

// The headers each request arrived with (and each RESP command), kept so a proxy test can assert
// what CPA received (GET /_sim/last-requests). Bounded ring of the most recent requests.

#include <boost/json/value.hpp>
#include <cstdint>
#include <deque>
#include <string>
#include <utility>
#include <vector>

namespace cpamd::sim
{

struct logged_request
{
    std::uint64_t id = 0;
    std::string time;     // RFC3339Nano UTC
    std::string peer;     // TCP peer address
    std::string protocol; // "http", "https", "resp" or "resp-tls"
    std::string method;   // HTTP method, or the RESP command name as sent
    std::string target;   // HTTP target, or the RESP arguments joined by spaces
    std::vector<std::pair<std::string, std::string>> headers; // as received, in order
    std::size_t body_bytes = 0;
};

class request_log
{
public:
    explicit request_log(std::size_t capacity = 500) : capacity_(capacity) {}

    void add(logged_request r);
    // The newest `n` (oldest first) as a JSON array.
    boost::json::value to_json(std::size_t n) const;
    void clear() { entries_.clear(); }

private:
    std::size_t capacity_;
    std::uint64_t next_id_ = 1;
    std::deque<logged_request> entries_;
};

} // namespace cpamd::sim
