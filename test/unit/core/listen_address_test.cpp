#include <catch2/catch.hpp>
#include <cpamd/core/listen_address.hpp>

using cpamd::parse_listen_address;

TEST_CASE("listen addresses in every accepted form", "[config]")
{
    std::string why;
    auto a = parse_listen_address("0.0.0.0:18317", why);
    REQUIRE(a);
    CHECK(a->host == "0.0.0.0");
    CHECK(a->port == 18317);

    a = parse_listen_address("[::1]:8080", why);
    REQUIRE(a);
    CHECK(a->host == "::1");
    CHECK(a->to_string() == "[::1]:8080");

    a = parse_listen_address(":9000", why);
    REQUIRE(a);
    CHECK(a->host.empty());
    CHECK(a->port == 9000);

    a = parse_listen_address("localhost:0", why);
    REQUIRE(a);
    CHECK(a->host == "127.0.0.1");
    CHECK(a->port == 0);
}

TEST_CASE("malformed listen addresses are refused with a reason", "[config]")
{
    for (const char* text :
         {"",
          "18317",
          "1.2.3.4:",
          "1.2.3.4:x",
          "1.2.3.4:65536",
          "[::1:80",
          "[::1]80",
          "300.1.1.1:80",
          "host:80",
          "1.2.3.4:-1",
          "1.2.3.4: 80"})
    {
        CAPTURE(text);
        std::string why;
        CHECK_FALSE(parse_listen_address(text, why));
        CHECK_FALSE(why.empty());
    }
}
