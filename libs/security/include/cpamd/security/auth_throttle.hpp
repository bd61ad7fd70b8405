#pragma once

// Failed-authentication throttle, per client address (ours: the upstream has none).
//
// Each address has a failure counter over a fixed window that opens at its first failure.
// When `max_failures` failures land within `window`, the address is blocked for `block`; while
// blocked the caller answers 429 with Retry-After (check() gives the seconds) and does not even
// verify the key. A success clears the address. Other addresses are never affected.
//
// Memory is bounded: at most `max_tracked` addresses are remembered. When full, the least
// recently seen address is forgotten. Every check() and failure refreshes an address, so one
// that keeps hammering while blocked stays remembered; spraying new addresses can only push out
// quiet ones (a blocked address that went quiet forgets its block, which costs nothing until it
// comes back, and then only `max_failures` more guesses).
// Callers should key IPv6 clients by their /64 prefix, or one host can use 2^64 addresses.
//
// Thread-safe (one mutex). Time is passed in, so tests drive it with a fake clock.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace cpamd::security
{

class auth_throttle
{
public:
    using clock = std::chrono::steady_clock;
    using time_point = clock::time_point;

    struct options
    {
        std::size_t max_failures = 10;       // failures within `window` that trigger a block
        std::chrono::seconds window{5 * 60}; // counting window, from the first failure
        std::chrono::seconds block{5 * 60};  // how long a blocked address stays blocked
        std::size_t max_tracked = 10'000;    // addresses remembered at most
    };

    auth_throttle();
    explicit auth_throttle(options opts);

    // If `address` is blocked at `now`: the seconds until it is let in again (>= 1, rounded up),
    // for Retry-After. nullopt if the request may proceed.
    std::optional<std::chrono::seconds> check(std::string_view address, time_point now);
    std::optional<std::chrono::seconds> check(std::string_view address)
    {
        return check(address, clock::now());
    }

    // Counts one failed authentication. Returns the block duration if this failure started a block.
    std::optional<std::chrono::seconds> record_failure(std::string_view address, time_point now);
    std::optional<std::chrono::seconds> record_failure(std::string_view address)
    {
        return record_failure(address, clock::now());
    }

    // A successful authentication: forgets the address.
    void record_success(std::string_view address);

    // Addresses currently remembered (for tests and /status).
    std::size_t tracked() const;

    // True when no address is remembered: nothing is blocked and a success has nothing to forget,
    // so a caller may skip working out the address key. Lock-free.
    bool idle() const noexcept { return tracked_count_.load(std::memory_order_acquire) == 0; }

    const options& settings() const noexcept { return options_; }

private:
    struct entry
    {
        std::size_t failures = 0;
        time_point window_start{};
        time_point blocked_until{}; // in the past = not blocked
        std::list<std::string>::iterator lru;
    };

    entry* find(const std::string& key, time_point now);
    entry& touch_or_insert(const std::string& key);

    options options_;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, entry> entries_;
    std::list<std::string> lru_;                // front = most recently seen
    std::atomic<std::size_t> tracked_count_{0}; // entries_.size(), readable without the lock
};

} // namespace cpamd::security
