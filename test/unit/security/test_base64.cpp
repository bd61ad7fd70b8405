#include "test_util.hpp"

#include <catch2/catch.hpp>
#include <cpamd/security/base64.hpp>

using namespace cpamd::security;

namespace
{

std::string decode_str(std::string_view in, base64_variant v)
{
    auto r = base64_decode(in, v);
    REQUIRE(r.has_value());
    return std::string(r->begin(), r->end());
}

} // namespace

TEST_CASE("base64 encodes the RFC 4648 vectors", "[security][base64]")
{
    const std::pair<std::string_view, std::string_view> vectors[] = {
        {"", ""},
        {"f", "Zg=="},
        {"fo", "Zm8="},
        {"foo", "Zm9v"},
        {"foob", "Zm9vYg=="},
        {"fooba", "Zm9vYmE="},
        {"foobar", "Zm9vYmFy"},
    };
    for (auto [plain, padded] : vectors)
    {
        CHECK(base64_encode(plain, base64_variant::std) == padded);
        std::string raw(padded);
        raw.erase(raw.find_last_not_of('=') + 1);
        if (padded.empty())
            raw.clear();
        CHECK(base64_encode(plain, base64_variant::raw_std) == raw);
        CHECK(decode_str(padded, base64_variant::std) == plain);
        CHECK(decode_str(raw, base64_variant::raw_std) == plain);
    }
}

TEST_CASE("base64 url alphabet", "[security][base64]")
{
    const auto bytes = cpamd::security::testing::from_hex("fbffbf");
    CHECK(base64_encode(bytes, base64_variant::std) == "+/+/");
    CHECK(base64_encode(bytes, base64_variant::raw_url) == "-_-_");
    CHECK(*base64_decode("-_-_", base64_variant::raw_url) == bytes);
    CHECK_FALSE(base64_decode("+/+/", base64_variant::raw_url).has_value());
    CHECK_FALSE(base64_decode("-_-_", base64_variant::raw_std).has_value());
}

TEST_CASE("base64 decoding follows Go's rules", "[security][base64]")
{
    // Raw forbids padding; Std requires it.
    CHECK_FALSE(base64_decode("Zg==", base64_variant::raw_std).has_value());
    CHECK_FALSE(base64_decode("Zg", base64_variant::std).has_value());
    CHECK_FALSE(base64_decode("Zg=", base64_variant::std).has_value());
    CHECK_FALSE(base64_decode("Z===", base64_variant::std).has_value());
    CHECK_FALSE(base64_decode("Zg==Zg==", base64_variant::std).has_value());
    // A lone final character cannot encode a byte.
    CHECK_FALSE(base64_decode("Zm9vY", base64_variant::raw_std).has_value());
    // CR and LF are ignored anywhere.
    CHECK(decode_str("Zm9v\nYmFy\r\n", base64_variant::raw_std) == "foobar");
    CHECK(decode_str("Zg=\n=\n", base64_variant::std) == "f");
    // Non-strict: unused low bits of the last character are ignored ("Zh" -> "f").
    CHECK(decode_str("Zh", base64_variant::raw_std) == "f");
    // Other whitespace is an error, reported at its offset as Go does.
    auto r = base64_decode("Zm9v YmFy", base64_variant::raw_std);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().message == "illegal base64 data at input byte 4");
}
