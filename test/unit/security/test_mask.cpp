#include <catch2/catch.hpp>
#include <cpamd/security/mask.hpp>

using namespace cpamd::security;

TEST_CASE("mask_secret shows 3 + 4 characters of long keys only", "[security][mask]")
{
    CHECK(mask_secret("abcdefghijklmnopqrstuvwxyz") == "abc****wxyz");
    CHECK(mask_secret("  abcdefghijklmnopqrstuvwxyz\n") == "abc****wxyz");
    CHECK(mask_secret("0123456789abcdef") == "012****cdef"); // 16: the shortest shown partially
    CHECK(mask_secret("0123456789abcde") == "****");         // 15
    CHECK(mask_secret("short") == "****");
    CHECK(mask_secret("1234567") == "****");
    CHECK(mask_secret("").empty());
    CHECK(mask_secret("   ").empty());
    // Code points, not bytes: the mask stays valid UTF-8.
    CHECK(
        mask_secret("\xC3\xA9\xC3\xA9\xC3\xA9"
                    "0123456789"
                    "\xE2\x82\xAC\xE2\x82\xAC\xE2\x82\xAC\xE2\x82\xAC"
        ) == "\xC3\xA9\xC3\xA9\xC3\xA9****\xE2\x82\xAC\xE2\x82\xAC\xE2\x82\xAC\xE2\x82\xAC"
    );
    CHECK(
        mask_secret("\xFF\xFE"
                    "0123456789abcdefgh") == "****"
    ); // not UTF-8
}

TEST_CASE("is_masked_form recognises the mask sent back", "[security][mask]")
{
    const std::string stored = "sk-live-0123456789abcdefWXYZ";
    CHECK(is_masked_form(stored, mask_secret(stored)));
    CHECK(is_masked_form(stored, " sk-****WXYZ "));
    CHECK_FALSE(is_masked_form(stored, stored));
    CHECK_FALSE(is_masked_form(stored, "sk-****WXYz"));
    CHECK_FALSE(is_masked_form(stored, "a-new-key"));
    CHECK(is_masked_form("short", "****"));
    CHECK_FALSE(is_masked_form("", "****"));
    CHECK_FALSE(is_masked_form("", ""));
}
