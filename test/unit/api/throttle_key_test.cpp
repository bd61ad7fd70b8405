#include <catch2/catch.hpp>
#include <cpamd/api/admin_auth.hpp>

using boost::asio::ip::make_address;
using cpamd::api::admin_auth;

TEST_CASE("the throttle key is the IPv4 address, or the IPv6 /64", "[admin_auth]")
{
    CHECK(admin_auth::throttle_key(make_address("127.0.0.1")) == "127.0.0.1");
    CHECK(admin_auth::throttle_key(make_address("203.0.113.254")) == "203.0.113.254");
    CHECK(admin_auth::throttle_key(make_address("0.0.0.0")) == "0.0.0.0");
    // A v4-mapped client is the IPv4 client it maps.
    CHECK(admin_auth::throttle_key(make_address("::ffff:198.51.100.7")) == "198.51.100.7");
    CHECK(admin_auth::throttle_key(make_address("2001:db8:1:2:3:4:5:6")) == "2001:db8:1:2::/64");
}
