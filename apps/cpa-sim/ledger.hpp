#pragma once

// The ledger: one JSON object per line for every record's life (produced, queued, delivered,
// expired, lost, discarded). Tests compare a collector's database against it, so each line is
// flushed as soon as it is written. Format: docs/cpa-sim.md.

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace cpamd::sim
{

class ledger
{
public:
    // Empty path: a disabled ledger (every call is a no-op).
    explicit ledger(const std::string& path);
    ~ledger();
    ledger(const ledger&) = delete;
    ledger& operator=(const ledger&) = delete;

    bool enabled() const { return file_ != nullptr; }

    // `origin` is "generator" or "control".
    void produced(std::uint64_t seq, std::string_view record, std::string_view origin);
    void queued(std::uint64_t seq);
    // via: "pop-http", "pop-resp" or "subscriber" (then subscriber is the connection id).
    void delivered(std::uint64_t seq, std::string_view via, std::uint64_t subscriber = 0);
    void expired(std::uint64_t seq);
    // reason: "overflow", "disconnect", "restart"; subscriber 0 when not about one.
    void lost(std::uint64_t seq, std::string_view reason, std::uint64_t subscriber = 0);
    // reason: "usage-statistics-disabled".
    void discarded(std::uint64_t seq, std::string_view reason);

private:
    void write_line(const std::string& line);

    std::FILE* file_ = nullptr;
};

} // namespace cpamd::sim
