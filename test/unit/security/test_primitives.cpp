#include "test_util.hpp"

#include <catch2/catch.hpp>
#include <cpamd/security/primitives.hpp>

using namespace cpamd::security;
using cpamd::security::testing::counting_bytes;
using cpamd::security::testing::to_hex;

// Expected values were computed outside this code base, twice: with Python's hmac/hashlib and
// the `cryptography` package, and with the openssl 3 CLI, e.g.
//   printf 'cpamp_...' | openssl mac -digest SHA256 -macopt hexkey:000102..0f HMAC
//   openssl kdf -keylen 32 -kdfopt digest:SHA256 -kdfopt pass:... -kdfopt hexsalt:... -kdfopt iter:1000
//   PBKDF2
//   openssl kdf -keylen 32 -kdfopt digest:SHA256 -kdfopt key:'my passphrase'
//       -kdfopt salt:cpa-manager-plus -kdfopt info:data-key-v1 HKDF

TEST_CASE("hmac_sha256 known answer", "[security][primitives]")
{
    const auto salt = counting_bytes(16);
    CHECK(
        to_hex(hmac_sha256(salt, as_bytes("cpamp_Vq3ZkT8mN2xR7pL4sW9yB6cF1hJ5dG0e"))) ==
        "3dce10fb5fc9a2ebbaf359527a15ab904a7a7bc8f48ab5a05e976bd228dd9286"
    );
    // RFC 4231 test case 2.
    CHECK(
        to_hex(hmac_sha256(as_bytes("Jefe"), as_bytes("what do ya want for nothing?"))) ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    );
}

// The per-thread context restarts from its keyed state when called again with the same key:
// interleaved keys, a key too long to remember (RFC 4231 test case 6) and the empty key must
// each still give their own answer.
TEST_CASE("hmac_sha256 with alternating keys", "[security][primitives]")
{
    const std::string jefe_answer = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
    const std::string long_answer = "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54";
    const std::string empty_answer = "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad";
    const std::string long_key(131, '\xaa');
    const auto jefe = []
    { return to_hex(hmac_sha256(as_bytes("Jefe"), as_bytes("what do ya want for nothing?"))); };
    const auto long_one = [&]
    {
        return to_hex(hmac_sha256(
            as_bytes(long_key), as_bytes("Test Using Larger Than Block-Size Key - Hash Key First")
        ));
    };
    const auto empty = [] { return to_hex(hmac_sha256(as_bytes(""), as_bytes(""))); };
    for (int round = 0; round < 2; ++round)
    {
        CHECK(jefe() == jefe_answer);
        CHECK(jefe() == jefe_answer);
        CHECK(long_one() == long_answer);
        CHECK(long_one() == long_answer);
        CHECK(jefe() == jefe_answer);
        CHECK(empty() == empty_answer);
        CHECK(empty() == empty_answer);
    }
    // Same key, different messages: the restart must not carry the previous message along.
    CHECK(
        to_hex(hmac_sha256(as_bytes("Jefe"), as_bytes("what do ya want "))) !=
        to_hex(hmac_sha256(as_bytes("Jefe"), as_bytes("what do ya want for nothing?")))
    );
    CHECK(jefe() == jefe_answer);
}

TEST_CASE("pbkdf2_sha256 known answers", "[security][primitives]")
{
    const auto salt = counting_bytes(16);
    CHECK(
        to_hex(pbkdf2_sha256(as_bytes("correct horse battery staple"), salt, 1000, 32).bytes()) ==
        "a69b179e3add3c1e0aaf227a0eb3aa2aa8645ab86fecf6ca00c17512697c719e"
    );
    // Below OpenSSL's SP 800-132 lower bounds (1-byte salt, 2 iterations): must still work.
    CHECK(
        to_hex(pbkdf2_sha256(as_bytes("k"), as_bytes("s"), 2, 32).bytes()) ==
        "c208a2819fef119c99387ba07dff32ad775cb4c3df077c67da397140f02e3920"
    );
}

TEST_CASE("hkdf_sha256 known answers", "[security][primitives]")
{
    CHECK(
        to_hex(hkdf_sha256(as_bytes("my passphrase"), "cpa-manager-plus", "data-key-v1", 32).bytes()) ==
        "debd8c33443902bd04959b9f4e2f9544095ecc7ba0a6275366c911680fcf3439"
    );
    CHECK(
        to_hex(hkdf_sha256(counting_bytes(32), "cpa-manager-plus", "settings-secrets-v1", 32).bytes()) ==
        "3a803754fc5b8ee382001cb5c822d9fab726ab06c541babe624ddec3e5dca1ff"
    );
}

TEST_CASE("random_bytes fills the buffer", "[security][primitives]")
{
    std::array<unsigned char, 64> a{};
    std::array<unsigned char, 64> b{};
    random_bytes(a);
    random_bytes(b);
    CHECK(a != b);
}
