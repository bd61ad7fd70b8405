// The validation and clash rules of PUT /v0/management/api-key-aliases (spec manager-api §5.11).

#include <catch2/catch.hpp>
#include <cpamd/api/api_key_alias_rules.hpp>

using namespace cpamd::api;

namespace
{

std::string hash_of(char c)
{
    return std::string(64, c);
}

api_key_alias row(char h, std::string alias)
{
    return {hash_of(h), std::move(alias), 1};
}

} // namespace

TEST_CASE("a hash is 64 hex digits, trimmed and lower-cased", "[api][aliases]")
{
    CHECK(normalize_api_key_hash(std::string(64, 'A')) == std::string(64, 'a'));
    CHECK(normalize_api_key_hash("  " + std::string(64, '0') + "\n") == std::string(64, '0'));
    CHECK_FALSE(normalize_api_key_hash(std::string(63, 'a')));
    CHECK_FALSE(normalize_api_key_hash(std::string(65, 'a')));
    CHECK_FALSE(normalize_api_key_hash(std::string(63, 'a') + "g"));
    CHECK_FALSE(normalize_api_key_hash(""));
}

TEST_CASE("an alias is 1 to 120 code points after trimming", "[api][aliases]")
{
    CHECK(normalize_alias("  team a \t") == "team a");
    CHECK_FALSE(normalize_alias(""));
    CHECK_FALSE(normalize_alias(" \n "));
    CHECK(normalize_alias(std::string(120, 'x')));
    CHECK_FALSE(normalize_alias(std::string(121, 'x')));

    // Runes, not bytes: 120 three-byte characters pass, 121 do not.
    std::string cjk;
    for (int i = 0; i < 120; ++i)
        cjk += "\xe5\x9b\xa2"; // U+56E2
    CHECK(count_runes(cjk) == 120);
    CHECK(normalize_alias(cjk));
    CHECK_FALSE(normalize_alias(cjk + "\xe5\x9b\xa2"));
    CHECK(count_runes("\xf0\x9f\x98\x80") == 1); // an emoji
    CHECK(count_runes("\xe5\x9b") == 2);         // broken sequence: one per byte, like Go
}

TEST_CASE("aliases clash case-insensitively", "[api][aliases]")
{
    CHECK(alias_fold("Team-A") == alias_fold("team-a"));
    CHECK(alias_fold("Team-A") != alias_fold("team-b"));
}

TEST_CASE("plain upserts, including renaming a hash to its own alias in another case", "[api][aliases]")
{
    auto p = plan_alias_put({row('a', "alpha")}, {row('a', "ALPHA"), row('b', "beta")}, {});
    CHECK_FALSE(p.duplicate);
    CHECK(p.deletes.empty());
    CHECK(p.upserts.size() == 2);
}

TEST_CASE("a clash with another hash's stored alias is a duplicate", "[api][aliases]")
{
    CHECK(plan_alias_put({row('a', "alpha")}, {row('b', "Alpha")}, {}).duplicate);
    // Active hashes alone, or cleanup alone, do not free the alias.
    CHECK(plan_alias_put(
              {row('a', "alpha")}, {row('b', "alpha")}, {.active_hashes = std::set<std::string>{}}
    ).duplicate);
    CHECK(plan_alias_put({row('a', "alpha")}, {row('b', "alpha")}, {.allow_orphan_cleanup = true}).duplicate);
    // The owner is still active: no cleanup.
    CHECK(plan_alias_put(
              {row('a', "alpha")},
              {row('b', "alpha")},
              {.active_hashes = std::set<std::string>{hash_of('a')}, .allow_orphan_cleanup = true}
    )
              .duplicate);
}

TEST_CASE("an inactive owner's row is deleted when cleanup is allowed", "[api][aliases]")
{
    auto p = plan_alias_put(
        {row('a', "alpha"), row('c', "gamma")},
        {row('b', "ALPHA")},
        {.active_hashes = std::set<std::string>{hash_of('b')}, .allow_orphan_cleanup = true}
    );
    CHECK_FALSE(p.duplicate);
    CHECK(p.deletes == std::vector<std::string>{hash_of('a')});
    REQUIRE(p.upserts.size() == 1);
    CHECK(p.upserts[0].hash == hash_of('b'));
}

TEST_CASE("two items of one request with the same alias clash", "[api][aliases]")
{
    CHECK(plan_alias_put({}, {row('a', "same"), row('b', "SAME")}, {}).duplicate);
    // The same hash twice is no clash: the last one wins.
    CHECK_FALSE(plan_alias_put({}, {row('a', "same"), row('a', "same")}, {}).duplicate);
}

TEST_CASE("an alias freed earlier in the request can be taken by a later item", "[api][aliases]")
{
    auto p = plan_alias_put({row('a', "alpha")}, {row('a', "renamed"), row('b', "alpha")}, {});
    CHECK_FALSE(p.duplicate);
    CHECK(p.upserts.size() == 2);
}
