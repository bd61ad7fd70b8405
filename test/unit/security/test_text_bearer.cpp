#include <catch2/catch.hpp>
#include <cpamd/security/bearer.hpp>
#include <cpamd/security/text.hpp>

using namespace cpamd::security;

TEST_CASE("trim_space matches Go strings.TrimSpace", "[security][text]")
{
    CHECK(trim_space("  \t\r\n\v\fabc \n") == "abc");
    CHECK(trim_space("\xC2\xA0key\xE3\x80\x80") == "key");             // NBSP, ideographic space
    CHECK(trim_space("\xE2\x80\xA8key\xE2\x80\x89\xC2\x85") == "key"); // U+2028, U+2009, NEL
    CHECK(trim_space("a b") == "a b");
    CHECK(trim_space("\xA0key\xA0") == "\xA0key\xA0");         // invalid UTF-8 is not space
    CHECK(trim_space("\xE2\x80\x8Bkey") == "\xE2\x80\x8Bkey"); // U+200B is not White_Space
    CHECK(trim_space("   ").empty());
    CHECK(trim_space("").empty());
}

TEST_CASE("extract_bearer_token follows spec §1", "[security][bearer]")
{
    CHECK(extract_bearer_token("Bearer abc") == "abc");
    CHECK(extract_bearer_token("bearer abc") == "abc");
    CHECK(extract_bearer_token("BEARER abc") == "abc");
    CHECK(extract_bearer_token("  Bearer    abc  \t") == "abc");
    CHECK(extract_bearer_token("Bearer a b") == "a b");
    CHECK(extract_bearer_token("Bearer cpamp_x\r\n") == "cpamp_x");
    CHECK(extract_bearer_token("Bearer").empty());
    CHECK(extract_bearer_token("Bearer ").empty());
    CHECK(extract_bearer_token("Bearer    ").empty());
    CHECK(extract_bearer_token("Bearerabc").empty());
    CHECK(extract_bearer_token("Bearer\tabc").empty()); // the separator must be a space
    CHECK(extract_bearer_token("Basic dXNlcjpwYXNz").empty());
    CHECK(extract_bearer_token("abc").empty());
    CHECK(extract_bearer_token("").empty());
}
