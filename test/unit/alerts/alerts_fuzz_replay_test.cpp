// Drives the alerts fuzz entry point (fuzz/fuzz_alerts.cpp) over its seed corpus and deterministic
// mutations, so its properties are checked on every `scripts/test` run.

#include <catch2/catch.hpp>
#include <cpamd/test/fuzz_corpus.hpp>
#include <random>

TEST_CASE("alerts fuzz entry point accepts every seed", "[alerts][fuzz]")
{
    auto corpus = cpamd::test::load_corpus(FUZZ_CORPUS_DIR);
    REQUIRE(corpus.size() >= 6);
    for (const auto& c : corpus)
        CHECK(cpamd::test::run_fuzz_input(c) == 0);
}

TEST_CASE("alerts fuzz entry point survives mutated inputs", "[alerts][fuzz]")
{
    auto corpus = cpamd::test::load_corpus(FUZZ_CORPUS_DIR);
    std::mt19937_64 rng(2026);
    const std::string alphabet = "{}[]\":,0123456789-.eE_abcdefghijklmnopqrstuvwxyz\\u \r\n";
    for (int i = 0; i < 3000; ++i)
    {
        const auto& picked = corpus[rng() % corpus.size()];
        std::string s = cpamd::test::mutate_json_like(picked, rng, alphabet);
        REQUIRE(cpamd::test::run_fuzz_input(s) == 0);
    }
}
