// The admin gate remembers on each connection the key it verified there; what that saves must
// never widen what gets in.

#include <boost/beast/http/field.hpp>
#include <catch2/catch.hpp>
#include <cpamd/api/admin_auth.hpp>
#include <cpamd/security/credential.hpp>

namespace
{

using cpamd::api::admin_auth;
using cpamd::http::connection_memo;
namespace security = cpamd::security;

const std::string first_key = "cpamp_memo-test-key-0123456789abcdef";
const std::string second_key = "cpamp_memo-test-key-fedcba9876543210";

security::admin_credential credential_for(const std::string& key)
{
    return security::create_admin_credential(key, security::credential_source::env, 0).value();
}

// One request on a connection: its header, and the exchange the gate sees.
struct request
{
    request(const std::string& token, connection_memo& memo, const char* client = "192.0.2.10")
        : ex(header, "/status", boost::asio::ip::make_address(client))
    {
        header.set(boost::beast::http::field::authorization, "Bearer " + token);
        ex.set_memo(&memo);
    }
    cpamd::http::request_header header;
    cpamd::http::exchange ex;
};

bool admitted(admin_auth& gate, const std::string& token, connection_memo& memo)
{
    request r(token, memo);
    return !gate.check(r.ex);
}

unsigned status_of(admin_auth& gate, const std::string& token, connection_memo& memo)
{
    request r(token, memo);
    auto denied = gate.check(r.ex);
    return denied ? denied->result_int() : 200;
}

} // namespace

TEST_CASE("a connection's memo admits only the very key verified on it", "[admin_auth]")
{
    admin_auth gate(credential_for(first_key));
    connection_memo memo;
    REQUIRE(admitted(gate, first_key, memo));
    CHECK(memo.proven_credential == first_key);
    CHECK(admitted(gate, first_key, memo));

    std::string last_changed = first_key;
    last_changed.back() = 'g';
    CHECK(status_of(gate, last_changed, memo) == 401);
    CHECK(status_of(gate, first_key.substr(0, first_key.size() - 1), memo) == 401);
    CHECK(status_of(gate, first_key + "0", memo) == 401);
    CHECK(admitted(gate, first_key, memo));

    // A wrong key does not replace the one proven: only a verified key is remembered.
    CHECK(memo.proven_credential == first_key);
}

TEST_CASE("a replaced credential is not admitted through a connection's memo", "[admin_auth]")
{
    admin_auth gate(credential_for(first_key));
    connection_memo memo;
    REQUIRE(admitted(gate, first_key, memo));
    gate.set_credential(credential_for(second_key));
    CHECK(status_of(gate, first_key, memo) == 401);
    CHECK(admitted(gate, second_key, memo));
    CHECK(memo.proven_credential == second_key);
}

TEST_CASE("the throttle is asked before a connection's memo", "[admin_auth]")
{
    admin_auth gate(credential_for(first_key), {.max_failures = 3, .window = std::chrono::seconds(60)});
    connection_memo proven, guessing;
    REQUIRE(admitted(gate, first_key, proven));
    // Another connection from the same address guesses until the address is blocked...
    for (int i = 0; i < 3; ++i)
        CHECK(status_of(gate, "cpamp_wrong-" + std::to_string(i), guessing) == 401);
    // ...which blocks the connection that proved the key as well.
    CHECK(status_of(gate, first_key, proven) == 429);

    // Another address is not affected, memo or not.
    connection_memo elsewhere;
    request r(first_key, elsewhere, "192.0.2.11");
    CHECK_FALSE(gate.check(r.ex));
}

TEST_CASE("an exchange without a memo is checked in full every time", "[admin_auth]")
{
    admin_auth gate(credential_for(first_key));
    cpamd::http::request_header header;
    header.set(boost::beast::http::field::authorization, "Bearer " + first_key);
    cpamd::http::exchange ex(header, "/status", boost::asio::ip::make_address("192.0.2.10"));
    CHECK_FALSE(gate.check(ex));
    CHECK_FALSE(gate.check(ex));
    header.set(boost::beast::http::field::authorization, "Bearer cpamp_wrong");
    CHECK(gate.check(ex)->result_int() == 401);
}
