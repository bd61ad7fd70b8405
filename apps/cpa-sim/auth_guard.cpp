#include "auth_guard.hpp"

#include "json_text.hpp"

namespace cpamd::sim
{
namespace
{

constexpr int max_failures = 5;
constexpr auto ban_duration = std::chrono::minutes(30);

} // namespace

bool secret_equal(std::string_view a, std::string_view b)
{
    if (a.size() != b.size())
        return false;
    unsigned char diff = 0;
    for (std::size_t i = 0; i < a.size(); ++i)
        diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    return diff == 0;
}

auth_guard::auth_guard(std::string management_key, bool allow_remote)
    : key_(std::move(management_key)), allow_remote_(allow_remote)
{
}

bool auth_guard::is_local(std::string_view ip)
{
    return ip == "127.0.0.1" || ip == "::1";
}

bool auth_guard::is_banned(const std::string& client_ip)
{
    auto it = table_.find(client_ip);
    if (it == table_.end() || it->second.blocked_until == clock::time_point{})
        return false;
    if (clock::now() < it->second.blocked_until)
        return true;
    // The ban ran out: start counting afresh.
    table_.erase(it);
    return false;
}

void auth_guard::record_failure(const std::string& client_ip)
{
    auto& a = table_[client_ip];
    if (++a.failures >= max_failures)
    {
        a.failures = 0;
        a.blocked_until = clock::now() + ban_duration;
    }
}

auth_result auth_guard::check(const std::string& client_ip, std::string_view key)
{
    if (is_banned(client_ip))
        return auth_result::banned;
    if (!is_local(client_ip) && !allow_remote_)
        return auth_result::remote_disabled;
    if (key_.empty())
        return auth_result::key_not_set;
    if (key.empty())
    {
        record_failure(client_ip);
        return auth_result::missing_key;
    }
    if (!secret_equal(key, key_))
    {
        record_failure(client_ip);
        return auth_result::invalid_key;
    }
    table_.erase(client_ip);
    return auth_result::ok;
}

std::string auth_guard::message(auth_result r, const std::string& client_ip)
{
    switch (r)
    {
    case auth_result::ok:
        return "";
    case auth_result::banned:
    {
        auto it = table_.find(client_ip);
        long long left = 0;
        if (it != table_.end())
        {
            auto d = it->second.blocked_until - clock::now();
            // Go: time.Until(...).Round(time.Second)
            left = std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
            left = (left + 500) / 1000;
        }
        return "IP banned due to too many failed attempts. Try again in " + go_duration(left);
    }
    case auth_result::remote_disabled:
        return "remote management disabled";
    case auth_result::key_not_set:
        return "remote management key not set";
    case auth_result::missing_key:
        return "missing management key";
    case auth_result::invalid_key:
        return "invalid management key";
    }
    return "";
}

} // namespace cpamd::sim
