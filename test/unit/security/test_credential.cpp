#include "test_util.hpp"

#include <catch2/catch.hpp>
#include <cpamd/security/credential.hpp>

using namespace cpamd::security;
using cpamd::security::testing::counting_bytes;
using cpamd::security::testing::to_hex;

namespace
{

constexpr std::string_view known_key = "cpamp_Vq3ZkT8mN2xR7pL4sW9yB6cF1hJ5dG0e";

// As the upstream writes it for known_key with salt 00..0f (keyHash computed with Python's
// hmac and cross-checked with `openssl mac`).
constexpr std::string_view upstream_hmac_record =
    R"({"version":1,"salt":"AAECAwQFBgcICQoLDA0ODw","keyHash":"Pc4Q+1/Jouu681lSehWrkEp6e8j0irWgXpdr0ijdkoY",)"
    R"("iterations":1,"createdAtMs":1778000000000,"source":"generated"})";

// Newer upstream releases hash with PBKDF2, 120000 iterations (Python hashlib.pbkdf2_hmac).
constexpr std::string_view upstream_pbkdf2_record =
    R"({"version":1,"salt":"AAECAwQFBgcICQoLDA0ODw","keyHash":"krwItQ3kA9acj40COOWhyJcZhD24QmgqrkZdBbJOiWA",)"
    R"("iterations":120000,"createdAtMs":1778000000000,"rotatedAtMs":1778000001234,"source":"cli"})";

admin_credential parse_ok(std::string_view json)
{
    auto r = parse_admin_credential(json);
    INFO(json);
    INFO((r ? std::string() : r.error().message));
    REQUIRE(r.has_value());
    return *r;
}

std::string parse_error(std::string_view json)
{
    auto r = parse_admin_credential(json);
    INFO(json);
    REQUIRE_FALSE(r.has_value());
    return r.error().message;
}

} // namespace

TEST_CASE("hash_admin_key: one HMAC round keyed by the salt", "[security][credential]")
{
    const auto salt = counting_bytes(16);
    CHECK(
        to_hex(hash_admin_key(known_key, salt, 1)) ==
        "3dce10fb5fc9a2ebbaf359527a15ab904a7a7bc8f48ab5a05e976bd228dd9286"
    );
    // iterations <= 1 (including absent/0 and negative) all mean one HMAC round.
    CHECK(hash_admin_key(known_key, salt, 0) == hash_admin_key(known_key, salt, 1));
    CHECK(hash_admin_key(known_key, salt, -5) == hash_admin_key(known_key, salt, 1));
    // The key is trimmed first.
    CHECK(
        hash_admin_key(std::string(" \t") + std::string(known_key) + "\n", salt, 1) ==
        hash_admin_key(known_key, salt, 1)
    );
}

TEST_CASE("a record written by the upstream verifies", "[security][credential]")
{
    const admin_credential c = parse_ok(upstream_hmac_record);
    CHECK(c.version == 1);
    CHECK(c.salt == counting_bytes(16));
    CHECK(c.iterations == 1);
    CHECK(c.created_at_ms == 1778000000000);
    CHECK(c.rotated_at_ms == 0);
    CHECK(c.source == "generated");
    CHECK(verify_admin_key(c, known_key));
    CHECK(verify_admin_key(c, std::string("  ") + std::string(known_key) + " \n"));
    CHECK_FALSE(verify_admin_key(c, "cpamp_Vq3ZkT8mN2xR7pL4sW9yB6cF1hJ5dG0f"));
    CHECK_FALSE(verify_admin_key(c, ""));
    CHECK_FALSE(verify_admin_key(c, "   "));
    // Serializing gives back the upstream's bytes.
    CHECK(serialize_admin_credential(c) == upstream_hmac_record);
}

TEST_CASE("a PBKDF2 record verifies", "[security][credential]")
{
    const admin_credential c = parse_ok(upstream_pbkdf2_record);
    CHECK(c.iterations == 120000);
    CHECK(c.rotated_at_ms == 1778000001234);
    CHECK(verify_admin_key(c, known_key));
    CHECK_FALSE(verify_admin_key(c, "cpamp_wrong"));
    CHECK(serialize_admin_credential(c) == upstream_pbkdf2_record);
}

TEST_CASE("create_admin_credential", "[security][credential]")
{
    auto r = create_admin_credential("  my-admin-key  ", credential_source::env, 1700000000000);
    REQUIRE(r.has_value());
    const admin_credential& c = *r;
    CHECK(c.version == 1);
    CHECK(c.salt.size() == 16);
    CHECK(c.iterations == 1);
    CHECK(c.created_at_ms == 1700000000000);
    CHECK(c.rotated_at_ms == 0);
    CHECK(c.source == "env");
    CHECK(verify_admin_key(c, "my-admin-key"));
    CHECK_FALSE(verify_admin_key(c, "my-admin-kez"));

    const std::string json = serialize_admin_credential(c);
    CHECK(json.find("rotatedAtMs") == std::string::npos);
    CHECK(json.find("my-admin-key") == std::string::npos);
    CHECK(json.starts_with(R"({"version":1,"salt":")"));
    const admin_credential back = parse_ok(json);
    CHECK(back.salt == c.salt);
    CHECK(back.key_hash == c.key_hash);
    CHECK(verify_admin_key(back, "my-admin-key"));

    // Fresh salt every time: the same key gives different records.
    auto r2 = create_admin_credential("my-admin-key", credential_source::generated, 1);
    REQUIRE(r2.has_value());
    CHECK(r2->salt != c.salt);
    CHECK(r2->key_hash != c.key_hash);

    auto empty = create_admin_credential(" \t\n", credential_source::env, 1);
    REQUIRE_FALSE(empty.has_value());
    CHECK(empty.error().message == "admin key is required");
}

TEST_CASE("rotate_admin_credential", "[security][credential]")
{
    const admin_credential old = parse_ok(upstream_pbkdf2_record);
    auto r = rotate_admin_credential(old, "cpamp_newkey", credential_source::cli_generated, 1800000000000);
    REQUIRE(r.has_value());
    CHECK(r->created_at_ms == old.created_at_ms);
    CHECK(r->rotated_at_ms == 1800000000000);
    CHECK(r->source == "cli-generated");
    CHECK(r->iterations == 1);
    CHECK(r->salt != old.salt);
    CHECK(verify_admin_key(*r, "cpamp_newkey"));
    CHECK_FALSE(verify_admin_key(*r, known_key));
    CHECK(
        serialize_admin_credential(*r).find(R"("rotatedAtMs":1800000000000,"source":"cli-generated"})") !=
        std::string::npos
    );

    CHECK_FALSE(rotate_admin_credential(old, "", credential_source::cli, 1).has_value());
}

TEST_CASE("source names", "[security][credential]")
{
    CHECK(to_string(credential_source::env) == "env");
    CHECK(to_string(credential_source::generated) == "generated");
    CHECK(to_string(credential_source::cli) == "cli");
    CHECK(to_string(credential_source::cli_generated) == "cli-generated");
}

TEST_CASE("parse_admin_credential is lenient where Go is", "[security][credential]")
{
    // Go matches keys case-insensitively and ignores unknown fields; missing ints are 0.
    const admin_credential c = parse_ok(
        R"({"Salt":"AAECAwQFBgcICQoLDA0ODw","KEYHASH":"Pc4Q+1/Jouu681lSehWrkEp6e8j0irWgXpdr0ijdkoY","extra":[1,2]})"
    );
    CHECK(c.version == 0);
    CHECK(c.iterations == 0);
    CHECK(c.source.empty());
    CHECK(verify_admin_key(c, known_key));
    // A source written by some other version is kept verbatim.
    CHECK(
        parse_ok(
            R"({"version":1,"salt":"AAECAwQFBgcICQoLDA0ODw","keyHash":"Pc4Q+1/Jouu681lSehWrkEp6e8j0irWgXpdr0ijdkoY","source":"setup"})"
        )
            .source == "setup"
    );
}

TEST_CASE("parse_admin_credential rejects malformed records clearly", "[security][credential]")
{
    const std::string hash = R"("keyHash":"Pc4Q+1/Jouu681lSehWrkEp6e8j0irWgXpdr0ijdkoY")";
    const std::string salt = R"("salt":"AAECAwQFBgcICQoLDA0ODw")";

    CHECK(parse_error("").starts_with("admin credential: invalid JSON"));
    CHECK(parse_error("{\"salt\":").starts_with("admin credential: invalid JSON"));
    CHECK(parse_error("[1,2]") == "admin credential: not a JSON object");
    CHECK(parse_error("{" + hash + "}") == "admin credential: salt is missing");
    CHECK(parse_error("{" + salt + "}") == "admin credential: keyHash is missing");
    CHECK(
        parse_error(R"({"salt":"!!!",)" + hash + "}") ==
        "admin credential: salt is not unpadded standard base64"
    );
    CHECK(
        parse_error(R"({"salt":"AAECAwQFBgcICQoLDA0ODw==",)" + hash + "}") ==
        "admin credential: salt is not unpadded standard base64"
    );
    CHECK(parse_error(R"({"salt":42,)" + hash + "}") == "admin credential: salt must be a string");
    CHECK(
        parse_error("{" + salt + R"(,"keyHash":"AAECAw"})") ==
        "admin credential: keyHash must be 32 bytes, got 4"
    );
    CHECK(
        parse_error("{" + salt + "," + hash + R"(,"iterations":"1"})") ==
        "admin credential: iterations must be an integer"
    );
    CHECK(
        parse_error("{" + salt + "," + hash + R"(,"iterations":1.5})") ==
        "admin credential: iterations must be an integer"
    );
    CHECK(parse_error("{" + salt + "," + hash + R"(,"iterations":2000000000})")
              .starts_with("admin credential: iterations 2000000000 exceeds"));
    CHECK(
        parse_error("{" + salt + "," + hash + R"(,"createdAtMs":true})") ==
        "admin credential: createdAtMs must be an integer"
    );
    CHECK(
        parse_error(R"({"version":2,)" + salt + "," + hash + "}") == "admin credential: unsupported version 2"
    );
    CHECK(
        parse_error("{" + salt + "," + hash + R"(,"source":5})") ==
        "admin credential: source must be a string"
    );
}

TEST_CASE("a hand-built incomplete credential never verifies", "[security][credential]")
{
    admin_credential c; // no salt
    CHECK_FALSE(verify_admin_key(c, "anything"));
}
