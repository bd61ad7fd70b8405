#pragma once

// Whether the collector may take records from CPA now (docs/collector.md "Bounds"). Pops are
// destructive and a subscription pushes, so records are taken only while they can be spooled and
// the ingest keeps up:
//  * disk: at least `disk_reserve` bytes free where the spool lives, and after a failed spool append
//    a probe write must work again;
//  * backlog: records spooled but not yet stored are held in memory by the ingest; pops wait above
//    `pop_backlog` bytes, and a subscription is ended above `subscribe_backlog`.
// Thread-safe.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <mutex>
#include <string>

namespace cpamd::collector
{

struct intake_limits
{
    std::uint64_t disk_reserve = 64ull << 20;
    std::uint64_t pop_backlog = 32ull << 20;
    std::uint64_t subscribe_backlog = 128ull << 20;
};

enum class intake_state
{
    open,
    backlog, // the ingest is behind: wait, nothing is wrong
    disk,    // the spool cannot take more: an error until space returns
};

class intake_gate
{
public:
    // `backlog` returns the bytes spooled but not yet stored.
    intake_gate(std::filesystem::path dir, std::function<std::uint64_t()> backlog, intake_limits limits = {});

    // Before a pop. `why` gets a sentence for /status and the log when it is not open.
    intake_state for_pop(std::string& why);
    // For a live subscription (and before subscribing): a larger backlog is allowed.
    intake_state for_subscription(std::string& why);

    // A spool append failed: the disk counts as full until a probe write works.
    void spool_failed(std::string what);
    // Called (on the checking thread) when the disk check passes again after failing.
    void on_disk_back(std::function<void()> f) { on_disk_back_ = std::move(f); }

    const intake_limits& limits() const { return limits_; }

private:
    intake_state check(std::uint64_t max_backlog, std::string& why);
    bool disk_ok(std::string& why);
    bool probe_write();

    std::filesystem::path dir_;
    std::function<std::uint64_t()> backlog_;
    intake_limits limits_;
    std::function<void()> on_disk_back_;
    std::mutex mutex_;
    std::string spool_error_; // the last failed append, until a probe write works
    bool disk_closed_ = false;
};

} // namespace cpamd::collector
