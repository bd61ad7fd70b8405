#include <boost/beast/http/field.hpp>
#include <cpamd/api/admin_auth.hpp>
#include <cpamd/http/address_text.hpp>
#include <cpamd/http/field_value.hpp>
#include <cpamd/http/reply.hpp>
#include <cpamd/security/bearer.hpp>
#include <cpamd/security/primitives.hpp>
#include <cpamd/security/secret.hpp>
#include <fmt/format.h>

namespace cpamd::api
{
namespace
{

// Enough for every key an operator and a few scripts use at once; a full cache is just cleared.
constexpr std::size_t max_remembered_tokens = 64;

http::response invalid_key_reply()
{
    return http::error_reply(401, "invalid_admin_key", "invalid admin key");
}

http::response throttled_reply(std::chrono::seconds retry)
{
    auto res = http::error_reply(
        429,
        "too_many_auth_failures",
        fmt::format("too many failed authentication attempts, retry in {} s", retry.count())
    );
    res.set(http::bhttp::field::retry_after, std::to_string(retry.count()));
    return res;
}

} // namespace

admin_auth::admin_auth(security::admin_credential credential, security::auth_throttle::options throttle)
    : throttle_(throttle), credential_(std::move(credential))
{
    security::random_bytes(cache_key_);
}

std::string admin_auth::throttle_key(const boost::asio::ip::address& a)
{
    return http::address_group(a);
}

admin_auth::digest admin_auth::token_digest(std::string_view token) const
{
    return security::hmac_sha256(cache_key_, security::as_bytes(token));
}

bool admin_auth::verify(std::string_view token)
{
    auto d = token_digest(token);
    security::admin_credential cred;
    {
        std::lock_guard lock(mutex_);
        if (verified_.count(d))
            return true;
        cred = credential_;
    }
    // Outside the lock: a PBKDF2 record may take a while and must not stall other requests.
    if (!security::verify_admin_key(cred, token))
        return false;
    std::lock_guard lock(mutex_);
    // Only remember it if the credential did not change meanwhile.
    if (cred.key_hash == credential_.key_hash && cred.salt == credential_.salt)
    {
        if (verified_.size() >= max_remembered_tokens)
            verified_.clear();
        verified_.insert(d);
    }
    return true;
}

std::string admin_auth::throttle_key(const http::exchange& ex)
{
    if (ex.client_address().is_v4())
        return std::string(ex.client_address_text());
    return throttle_key(ex.client_address());
}

bool admin_auth::proven_on_connection(const http::exchange& ex, std::string_view token) const
{
    const auto* memo = ex.memo();
    return memo && memo->proven_generation == generation_.load(std::memory_order_acquire) &&
           security::constant_time_equal(memo->proven_credential, token);
}

void admin_auth::remember_on_connection(
    const http::exchange& ex, std::string_view token, std::uint64_t generation
)
{
    if (auto* memo = ex.memo())
    {
        memo->forget_credential();
        memo->proven_credential.assign(token);
        memo->proven_generation = generation;
    }
}

bool admin_auth::verify_here(const http::exchange& ex, std::string_view token)
{
    // Taken before verifying: a credential replaced meanwhile leaves a memo that no longer matches.
    const auto generation = generation_.load(std::memory_order_acquire);
    if (!verify(token))
        return false;
    remember_on_connection(ex, token, generation);
    return true;
}

// The request's throttle key, worked out on first use: while the throttle tracks no address at
// all, nothing needs it.
class admin_auth::client_key
{
public:
    explicit client_key(const http::exchange& ex) : ex_(ex) {}
    const std::string& get()
    {
        if (key_.empty())
            key_ = throttle_key(ex_);
        return key_;
    }

private:
    const http::exchange& ex_;
    std::string key_;
};

std::optional<std::chrono::seconds> admin_auth::blocked(client_key& who)
{
    if (throttle_.idle())
        return std::nullopt;
    return throttle_.check(who.get());
}

void admin_auth::succeeded(client_key& who)
{
    if (!throttle_.idle())
        throttle_.record_success(who.get());
}

std::optional<http::response> admin_auth::check(const http::exchange& ex)
{
    client_key who(ex);
    if (auto retry = blocked(who))
        return throttled_reply(*retry);
    std::string_view token =
        security::extract_bearer_token(http::field_value(ex.header(), http::bhttp::field::authorization));
    if (token.empty())
        return invalid_key_reply();
    if (proven_on_connection(ex, token) || verify_here(ex, token))
    {
        succeeded(who);
        return std::nullopt;
    }
    throttle_.record_failure(who.get());
    return invalid_key_reply();
}

bool admin_auth::is_admin(const http::exchange& ex)
{
    client_key who(ex);
    if (blocked(who))
        return false;
    std::string_view token =
        security::extract_bearer_token(http::field_value(ex.header(), http::bhttp::field::authorization));
    if (token.empty())
        return false;
    if (proven_on_connection(ex, token))
    {
        succeeded(who);
        return true;
    }
    const auto d = token_digest(token);
    if (known_rejected(d))
        return false;
    if (verify_here(ex, token))
    {
        succeeded(who);
        return true;
    }
    throttle_.record_failure(who.get());
    remember_rejected(d);
    return false;
}

bool admin_auth::known_rejected(const digest& d)
{
    std::lock_guard lock(mutex_);
    return rejected_.count(d) != 0;
}

void admin_auth::remember_rejected(const digest& d)
{
    std::lock_guard lock(mutex_);
    if (rejected_.size() >= max_remembered_tokens)
        rejected_.clear();
    rejected_.insert(d);
}

std::optional<http::response> admin_auth::refuse_if_blocked(const http::exchange& ex)
{
    client_key who(ex);
    if (auto retry = blocked(who))
        return throttled_reply(*retry);
    return std::nullopt;
}

bool admin_auth::is_admin_key(std::string_view token)
{
    if (token.empty())
        return false;
    const auto d = token_digest(token);
    if (known_rejected(d))
        return false;
    if (verify(token))
        return true;
    remember_rejected(d);
    return false;
}

std::optional<http::response> admin_auth::authorize(const http::exchange& ex, http::auth_level level)
{
    if (level != http::auth_level::admin)
        return std::nullopt;
    return check(ex);
}

void admin_auth::set_credential(security::admin_credential credential)
{
    std::lock_guard lock(mutex_);
    credential_ = std::move(credential);
    generation_.fetch_add(1, std::memory_order_acq_rel);
    verified_.clear();
    rejected_.clear();
}

} // namespace cpamd::api
