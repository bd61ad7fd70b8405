#include "test_util.hpp"

#include <catch2/catch.hpp>
#include <cpamd/security/base64.hpp>
#include <cpamd/security/secret_box.hpp>
#include <regex>

using namespace cpamd::security;
using cpamd::security::testing::counting_bytes;

namespace
{

// Built with Python's `cryptography` (AESGCM) from the spec, independently of this code:
//   key   = HKDF-SHA256(ikm=bytes 00..1f, salt="cpa-manager-plus", info="settings-secrets-v1", 32)
//   nonce = a0 a1 .. ab, AAD = "settings-secret"
constexpr std::string_view vector_plain = "mgmt-key-For-CPA-0123456789";
constexpr std::string_view vector_sealed =
    "enc:v1:oKGio6Slpqeoqaqr:6GlQ/aO8MfTTgV+48s09+txL8qg1w4KkTNYXSdQPGPVNo5XjdddmTCfjWg";
constexpr std::string_view vector_sealed_empty = "enc:v1:oKGio6Slpqeoqaqr:Apb9rFfc5EhkjeqyezOomw";

const std::array<unsigned char, 12> vector_nonce = {
    0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xab};

std::string open_ok(const secret_box& box, std::string_view stored, bool expect_legacy = false)
{
    auto r = box.decrypt(stored);
    INFO((r ? std::string() : r.error().message));
    REQUIRE(r.has_value());
    CHECK(r->legacy == expect_legacy);
    return std::string(r->value.view());
}

std::string open_error(const secret_box& box, std::string_view stored)
{
    auto r = box.decrypt(stored);
    REQUIRE_FALSE(r.has_value());
    return r.error().message;
}

} // namespace

TEST_CASE("decrypts a value sealed by an independent implementation", "[security][secret_box]")
{
    const secret_box box(counting_bytes(32));
    CHECK(open_ok(box, vector_sealed) == vector_plain);
    CHECK(open_ok(box, std::string(" ") + std::string(vector_sealed) + "\n") == vector_plain);
    CHECK(open_ok(box, vector_sealed_empty).empty());
}

TEST_CASE("seals exactly as the spec says (fixed nonce)", "[security][secret_box]")
{
    const secret_box box(counting_bytes(32));
    CHECK(box.encrypt_with_nonce_for_testing(vector_plain, vector_nonce) == vector_sealed);
    CHECK(box.encrypt_with_nonce_for_testing("", vector_nonce) == vector_sealed_empty);
}

TEST_CASE("encrypt: random nonce, format shape, round trip", "[security][secret_box]")
{
    const secret_box box(counting_bytes(32));
    const std::string a = box.encrypt("cpa-key");
    const std::string b = box.encrypt("cpa-key");
    CHECK(a != b);
    const std::regex shape("^enc:v1:[A-Za-z0-9+/]{16}:[A-Za-z0-9+/]{31}$"); // 7 B + 16 B tag = 23 B
    CHECK(std::regex_match(a, shape));
    CHECK(open_ok(box, a) == "cpa-key");
    CHECK(open_ok(box, b) == "cpa-key");
    const std::string big(10000, 'k');
    CHECK(open_ok(box, box.encrypt(big)) == big);
    CHECK(is_encrypted(a));
    CHECK(is_encrypted("  " + a));
    CHECK_FALSE(is_encrypted("cpa-key"));
}

TEST_CASE("legacy plaintext and encrypt_if_needed", "[security][secret_box]")
{
    const secret_box box(counting_bytes(32));
    CHECK(open_ok(box, "plain-old-key", true) == "plain-old-key");
    CHECK(open_ok(box, "  plain-old-key \n", true) == "plain-old-key");
    CHECK(open_ok(box, "", true).empty());
    CHECK(open_ok(box, "ENC:V1:abc", true) == "ENC:V1:abc"); // the prefix is case-sensitive

    CHECK(box.encrypt_if_needed("").empty());
    CHECK(box.encrypt_if_needed("   ").empty());
    CHECK(box.encrypt_if_needed(vector_sealed) == vector_sealed);                    // never twice
    CHECK(box.encrypt_if_needed(" " + std::string(vector_sealed)) == vector_sealed); // trimmed
    const std::string sealed = box.encrypt_if_needed(" key ");
    CHECK(is_encrypted(sealed));
    CHECK(open_ok(box, sealed) == "key");
}

TEST_CASE("every damaged byte is detected", "[security][secret_box]")
{
    const secret_box box(counting_bytes(32));
    const std::string_view body = vector_sealed.substr(encrypted_prefix.size());
    const auto colon = body.find(':');
    const auto nonce = *base64_decode(body.substr(0, colon));
    const auto sealed = *base64_decode(body.substr(colon + 1));
    auto rebuild = [](const std::vector<unsigned char>& n, const std::vector<unsigned char>& s)
    { return std::string(encrypted_prefix) + base64_encode(n) + ":" + base64_encode(s); };
    REQUIRE(rebuild(nonce, sealed) == vector_sealed);

    for (std::size_t i = 0; i < nonce.size(); ++i)
    {
        auto n = nonce;
        n[i] ^= 0x01;
        CHECK(open_error(box, rebuild(n, sealed)) == decrypt_failed_message);
    }
    for (std::size_t i = 0; i < sealed.size(); ++i) // ciphertext bytes, then the 16 tag bytes
    {
        auto s = sealed;
        s[i] ^= 0x80;
        INFO("byte " << i);
        CHECK(open_error(box, rebuild(nonce, s)) == decrypt_failed_message);
    }
    // Truncated / extended ciphertext, short nonce, too short for a tag.
    auto shorter = sealed;
    shorter.pop_back();
    CHECK(open_error(box, rebuild(nonce, shorter)) == decrypt_failed_message);
    auto longer = sealed;
    longer.push_back(0);
    CHECK(open_error(box, rebuild(nonce, longer)) == decrypt_failed_message);
    CHECK(open_error(box, rebuild({nonce.begin(), nonce.end() - 1}, sealed)) == decrypt_failed_message);
    CHECK(open_error(box, rebuild(nonce, {sealed.begin(), sealed.begin() + 15})) == decrypt_failed_message);
}

TEST_CASE("a wrong data key cannot decrypt", "[security][secret_box]")
{
    const secret_box other(counting_bytes(32, 1));
    CHECK(open_error(other, vector_sealed) == "decrypt secret: invalid data key or corrupted ciphertext");
}

TEST_CASE("malformed enc:v1 values", "[security][secret_box]")
{
    const secret_box box(counting_bytes(32));
    CHECK(open_error(box, "enc:v1:") == "invalid encrypted secret format");
    CHECK(open_error(box, "enc:v1:oKGio6Slpqeoqaqr") == "invalid encrypted secret format");
    CHECK(open_error(box, "enc:v1:a:b:c") == "invalid encrypted secret format");
    CHECK(
        open_error(box, "enc:v1:oKGio6Slpqeoqaqr:not*base64").starts_with("illegal base64 data at input byte")
    );
    CHECK(open_error(box, "enc:v1:oKGio6Slpqeoqaqr=:AAAA").starts_with("illegal base64 data at input byte"));
}

TEST_CASE("secret_box needs a data key", "[security][secret_box]")
{
    CHECK_THROWS_AS(secret_box(std::span<const unsigned char>()), std::invalid_argument);
}
