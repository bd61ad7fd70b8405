#include <algorithm>
#include <cpamd/security/auth_throttle.hpp>

namespace cpamd::security
{

namespace
{

std::chrono::seconds ceil_seconds(auth_throttle::clock::duration d)
{
    return std::max(std::chrono::ceil<std::chrono::seconds>(d), std::chrono::seconds{1});
}

} // namespace

auth_throttle::auth_throttle() : auth_throttle(options{}) {}

auth_throttle::auth_throttle(options opts) : options_(opts)
{
    options_.max_failures = std::max<std::size_t>(options_.max_failures, 1);
    options_.max_tracked = std::max<std::size_t>(options_.max_tracked, 1);
}

auth_throttle::entry* auth_throttle::find(const std::string& key, time_point now)
{
    auto it = entries_.find(key);
    if (it == entries_.end())
        return nullptr;
    entry& e = it->second;
    // Neither blocked nor inside a counting window: the entry carries nothing, drop it.
    if (e.blocked_until <= now && now - e.window_start >= options_.window)
    {
        lru_.erase(e.lru);
        entries_.erase(it);
        return nullptr;
    }
    lru_.splice(lru_.begin(), lru_, e.lru);
    return &e;
}

auth_throttle::entry& auth_throttle::touch_or_insert(const std::string& key)
{
    if (entries_.size() >= options_.max_tracked)
    {
        entries_.erase(lru_.back());
        lru_.pop_back();
    }
    lru_.push_front(key);
    entry& e = entries_[key];
    e.lru = lru_.begin();
    return e;
}

std::optional<std::chrono::seconds> auth_throttle::check(std::string_view address, time_point now)
{
    if (idle())
        return std::nullopt;
    const std::string key(address);
    std::lock_guard lock(mutex_);
    entry* e = find(key, now);
    tracked_count_.store(entries_.size(), std::memory_order_release);
    if (e == nullptr || e->blocked_until <= now)
        return std::nullopt;
    return ceil_seconds(e->blocked_until - now);
}

std::optional<std::chrono::seconds> auth_throttle::record_failure(std::string_view address, time_point now)
{
    const std::string key(address);
    std::lock_guard lock(mutex_);
    entry* e = find(key, now);
    if (e == nullptr)
    {
        e = &touch_or_insert(key);
        e->window_start = now;
    }
    tracked_count_.store(entries_.size(), std::memory_order_release);
    if (e->blocked_until > now)
        return std::nullopt; // already blocked; the caller should not have verified
    if (now - e->window_start >= options_.window)
    {
        e->failures = 0;
        e->window_start = now;
    }
    if (++e->failures < options_.max_failures)
        return std::nullopt;
    e->failures = 0;
    e->blocked_until = now + options_.block;
    // The next window opens when the block ends, so a fresh block needs a fresh set of failures.
    e->window_start = e->blocked_until;
    return options_.block;
}

void auth_throttle::record_success(std::string_view address)
{
    if (idle())
        return;
    const std::string key(address);
    std::lock_guard lock(mutex_);
    auto it = entries_.find(key);
    if (it == entries_.end())
        return;
    lru_.erase(it->second.lru);
    entries_.erase(it);
    tracked_count_.store(entries_.size(), std::memory_order_release);
}

std::size_t auth_throttle::tracked() const
{
    std::lock_guard lock(mutex_);
    return entries_.size();
}

} // namespace cpamd::security
