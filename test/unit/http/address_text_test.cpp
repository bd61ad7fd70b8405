#include <catch2/catch.hpp>
#include <cpamd/http/address_text.hpp>

using boost::asio::ip::make_address;
using cpamd::http::address_text;

TEST_CASE("address_text writes what Asio's to_string() writes", "[address_text]")
{
    for (const char* text :
         {"127.0.0.1",
          "0.0.0.0",
          "255.255.255.255",
          "203.0.113.9",
          "::1",
          "::ffff:198.51.100.7",
          "2001:db8::5"})
    {
        const auto a = make_address(text);
        CHECK(address_text(a) == a.to_string());
    }
    CHECK(address_text(make_address("10.20.0.3")) == "10.20.0.3");
}
