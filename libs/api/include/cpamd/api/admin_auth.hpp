#pragma once

// The admin gate (spec manager-api §1, §2, §3.1): `Authorization: Bearer <admin key>` checked
// against the stored credential, with our failed-auth throttle per client address
// (docs/security.md). Plugs into http::server_options::authorize; routes whose rule is not plain
// "admin" (GET/PUT /usage-service/config) call check() themselves.
//
// Replies: wrong or missing key -> 401 invalid_admin_key; address blocked -> 429
// too_many_auth_failures with Retry-After. A request without any token is refused but not
// counted (it is not a guess). Verified tokens are remembered by a keyed digest, so a PBKDF2
// credential costs its iterations once, not on every request; and by each keep-alive connection
// (http::connection_memo), so its next requests cost one constant-time comparison. The throttle
// still comes first on every request. Thread-safe.

#include <array>
#include <atomic>
#include <boost/asio/ip/address.hpp>
#include <chrono>
#include <cpamd/http/exchange.hpp>
#include <cpamd/http/router.hpp>
#include <cpamd/security/auth_throttle.hpp>
#include <cpamd/security/credential.hpp>
#include <cstdint>
#include <mutex>
#include <optional>
#include <set>
#include <string>

namespace cpamd::api
{

class admin_auth
{
public:
    explicit admin_auth(
        security::admin_credential credential, security::auth_throttle::options throttle = {}
    );

    // nullopt: the request carries a valid admin key. Otherwise the reply to send.
    std::optional<http::response> check(const http::exchange& ex);

    // For proxy paths where a non-admin caller is forwarded with its own credentials (plugin
    // paths, spec §5.13): true when the request carries the admin key. Never refuses; a blocked
    // address is simply not treated as admin (its key is not even checked), and a wrong token is
    // counted as a failure only the first time it is seen, so a plugin client sending its own key
    // on every request is not blocked while guessing keys still is.
    bool is_admin(const http::exchange& ex);

    // The 429 reply when the request's address is blocked, else nullopt. Counts nothing.
    std::optional<http::response> refuse_if_blocked(const http::exchange& ex);

    // True when `token` is the admin key. Neither asks nor tells the throttle: for finding the
    // key where it must not go (a header bound for CPA), not for letting anyone in.
    bool is_admin_key(std::string_view token);

    // The server hook: admin routes go through check(), others pass.
    std::optional<http::response> authorize(const http::exchange& ex, http::auth_level level);

    // Replaces the credential (reset) and forgets every remembered token.
    void set_credential(security::admin_credential credential);

    // The throttle key of a client: IPv4 as is, IPv6 by its /64 (one host owns a whole /64).
    static std::string throttle_key(const boost::asio::ip::address& a);
    static std::string throttle_key(const http::exchange& ex);

private:
    using digest = std::array<unsigned char, 32>;
    digest token_digest(std::string_view token) const;
    bool verify(std::string_view token);
    bool known_rejected(const digest& d);
    void remember_rejected(const digest& d);
    // verify(), remembering on the connection a key that verified.
    bool verify_here(const http::exchange& ex, std::string_view token);
    bool proven_on_connection(const http::exchange& ex, std::string_view token) const;
    // The throttle, asked and told with the request's key only when it tracks anyone.
    class client_key;
    std::optional<std::chrono::seconds> blocked(client_key& who);
    void succeeded(client_key& who);
    static void
    remember_on_connection(const http::exchange& ex, std::string_view token, std::uint64_t generation);

    security::auth_throttle throttle_;
    std::mutex mutex_;
    security::admin_credential credential_;
    std::set<digest> verified_;                 // digests of tokens that verified; bounded
    std::set<digest> rejected_;                 // digests of tokens that did not (is_admin); bounded
    std::array<unsigned char, 32> cache_key_{}; // random per process: the digests mean nothing elsewhere
    std::atomic<std::uint64_t> generation_{1};  // bumped by set_credential; connection memos carry it
};

} // namespace cpamd::api
