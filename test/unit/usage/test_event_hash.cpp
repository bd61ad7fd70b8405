#include "fixtures.hpp"

#include <catch2/catch.hpp>
#include <cpamd/usage/event_hash.hpp>
#include <cpamd/usage/sha256.hpp>

using namespace cpamd::usage;
using namespace cpamd::usage::test;

// Expected digests were computed outside the code under test, e.g.
//   printf '%s' '<input>' | sha256sum

TEST_CASE("sha256: known vectors", "[usage][hash]")
{
    CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    CHECK(
        sha256_hex("sk-cpa-client-0001") == "822783546b1d177ac543e6bce8ae0222f611c067b29d61d075f766640cda1380"
    );
}

TEST_CASE("event hash: Claude failure record of the spec", "[usage][hash]")
{
    auto ev = must_parse(claude_failure);
    const std::string source_hash = "1eebfe50e794cc30a0e3aed8b139b69f274f14ee1bbbe09d2e78834ca43f220c";
    CHECK(ev.source_hash == source_hash);
    CHECK(
        event_hash_input(hash_fields_of(ev)) ==
        "9e0f1a2b|2026-08-22T06:10:02.117Z|POST /v1/messages|claude-sonnet-4-5|c01dbeef2a3b4c5d|" +
            source_hash + "|0|0|0|0|true|812"
    );
    CHECK(ev.event_hash == "018735251b80b42c5c5f3a3e61380d242c327c6720e15d06cb21871cce0c5372");
}

TEST_CASE("event hash: Codex success record with a +08:00 timestamp", "[usage][hash]")
{
    auto ev = must_parse(codex_success);
    const std::string source_hash = "ff8d9819fc0e12bf0d24892e45987e249a28dce836a85cad60e28eaaa8c6d976";
    CHECK(
        event_hash_input(hash_fields_of(ev)) ==
        "a1b2c3d4|2026-08-22T06:03:11.482913027Z|POST /v1/responses|gpt-5-codex|3f9c2a71d04b8e56|" +
            source_hash + "|12000|900|300|8000|false|8423"
    );
    CHECK(ev.event_hash == "5d019a45a3e3ebe9550e860e52efdc78fcb3f6643b6ccf1c4c093809ae482430");
}

TEST_CASE("event hash: no latency, no request id, defaults", "[usage][hash]")
{
    auto ev = must_parse(R"({"timestamp":"2026-05-06T00:00:01Z","failed":false})");
    CHECK_FALSE(ev.latency_ms);
    CHECK(event_hash_input(hash_fields_of(ev)) == "|2026-05-06T00:00:01Z|-|-|||0|0|0|0|false");
    CHECK(ev.event_hash == "5e0e1398a29fd5a4bb9f4e8c611a747bcce2f2645a1acd89db328446b19e45e0");
}

TEST_CASE("event hash: max(cached, cache) and alias over model", "[usage][hash]")
{
    hash_fields f;
    f.model = "alias";
    f.cached = 7;
    f.latency_ms = 0;
    CHECK(event_hash_input(f) == "|||alias|||0|0|0|7|false|0");
    auto ev = must_parse(
        R"({"timestamp":1778000000,"alias":"a","model":"m","tokens":{"cached_tokens":3,"cache_tokens":9}})"
    );
    CHECK(hash_fields_of(ev).cached == 9);
    CHECK(hash_fields_of(ev).model == "a");
    // same instant, different zone notation: same hash
    auto x = must_parse(R"({"timestamp":"2026-08-22T14:03:11.5+08:00","model":"m","latency_ms":1})");
    auto y = must_parse(R"({"timestamp":"2026-08-22T06:03:11.500Z","model":"m","latency_ms":1})");
    CHECK(x.event_hash == y.event_hash);
}

TEST_CASE("event hash: the parser's memo is checked, never trusted", "[usage][hash]")
{
    auto ev = must_parse(codex_success);
    CHECK(hash_is_recomputable(ev));
    auto copy = ev;
    CHECK(copy == ev); // the memo is not part of the event's value
    CHECK(hash_is_recomputable(copy));

    auto changed_field = ev;
    changed_field.model = "other"; // the hash no longer matches the fields
    CHECK_FALSE(hash_is_recomputable(changed_field));

    auto changed_hash = ev;
    changed_hash.event_hash = std::string(64, 'a'); // same fields, another hash
    CHECK_FALSE(hash_is_recomputable(changed_hash));

    auto no_memo = ev;
    no_memo.computed_hash = {};
    CHECK(hash_is_recomputable(no_memo)); // decided by hashing again
    no_memo.event_hash = "kept-verbatim";
    CHECK_FALSE(hash_is_recomputable(no_memo));
}
