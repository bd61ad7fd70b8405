#pragma once

// What a transport hands the host when CPA's answer cannot be used as records (not a usage-queue
// reply, larger than the cap, items beyond the count asked for): ONE reject, as a deliver() whose
// `via` is "<transport>:rejected" and whose records are
//   [reason, payload (at most reject_prefix_bytes), original size in decimal, SHA-256 hex of the original]
// (docs/collector.md "Bounds"). The host stores it in the rejects table, never as events. The
// collector_api has no call for this yet; the convention keeps the plugin ABI unchanged.

#include <cpamd/collector_api/collector.hpp>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace cpamd::collectors
{

inline constexpr std::size_t reject_prefix_bytes = 64 * 1024;
// What one pop may return: a usage-queue body (HTTP) or a pop reply (RESP). Records are 1-4 KB, so
// this leaves room for thousands of them.
inline constexpr std::size_t pop_reply_cap = 32u << 20;

std::string rejected_via(std::string_view transport);

// A body read piece by piece: kept whole up to `cap` bytes; beyond it only its first
// reject_prefix_bytes, its size and its SHA-256 are kept, so memory stays bounded whatever arrives.
class bounded_body
{
public:
    explicit bounded_body(std::size_t cap);
    ~bounded_body();
    bounded_body(const bounded_body&) = delete;
    bounded_body& operator=(const bounded_body&) = delete;

    void append(std::string_view piece);
    bool over_cap() const { return hash_ != nullptr; }
    std::uint64_t size() const { return size_; }
    // The whole body, or its prefix once over the cap.
    std::string& text() { return text_; }
    // The records of a reject for this body (call once, after the last append).
    std::vector<std::string> reject(std::string reason);

    struct sha256_state; // incremental SHA-256 (OpenSSL)

private:
    std::size_t cap_;
    std::uint64_t size_ = 0;
    std::string text_;
    std::unique_ptr<sha256_state> hash_; // set once over the cap
};

// The records of a reject for a payload held whole.
std::vector<std::string> reject_records(std::string reason, std::string_view payload);

} // namespace cpamd::collectors
