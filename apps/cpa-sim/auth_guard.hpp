#pragma once

// CPA's management authentication (spec §5): local/remote rule, key check, and the failure
// counter that bans an IP for 30 minutes after 5 failures. One table serves HTTP and RESP.

#include <chrono>
#include <map>
#include <string>
#include <string_view>

namespace cpamd::sim
{

enum class auth_result
{
    ok,
    banned,          // 403 / "-ERR IP banned due to too many failed attempts. Try again in …"
    remote_disabled, // 403, not counted
    key_not_set,     // 403
    missing_key,     // 401, counted
    invalid_key      // 401, counted
};

class auth_guard
{
public:
    using clock = std::chrono::steady_clock;

    auth_guard(std::string management_key, bool allow_remote);

    // Runs the algorithm of spec §5 for `client_ip` presenting `key` and updates the counter.
    auth_result check(const std::string& client_ip, std::string_view key);
    // Counts a failure without a key check (a RESP command before AUTH).
    void record_failure(const std::string& client_ip);
    bool is_banned(const std::string& client_ip);
    // The error text for a non-ok result, e.g. "IP banned due to too many failed attempts. Try again in
    // 29m41s".
    std::string message(auth_result r, const std::string& client_ip);

    void reset() { table_.clear(); }
    static bool is_local(std::string_view ip);

private:
    struct attempts
    {
        int failures = 0;
        clock::time_point blocked_until{};
    };

    std::string key_;
    bool allow_remote_;
    std::map<std::string, attempts> table_;
};

// Constant-time comparison of two secrets.
bool secret_equal(std::string_view a, std::string_view b);

} // namespace cpamd::sim
