// Drives the price source fuzz entry point (fuzz/fuzz_price_sources.cpp) over its seed corpus and
// deterministic mutations, so its properties are checked on every `scripts/test` run.

#include <catch2/catch.hpp>
#include <cpamd/test/fuzz_corpus.hpp>
#include <random>

TEST_CASE("price source fuzz entry point accepts every seed", "[pricing][fuzz]")
{
    auto corpus = cpamd::test::load_corpus(FUZZ_CORPUS_DIR);
    REQUIRE(corpus.size() >= 4);
    for (const auto& c : corpus)
        CHECK(cpamd::test::run_fuzz_input(c) == 0);
}

TEST_CASE("price source fuzz entry point survives mutated inputs", "[pricing][fuzz]")
{
    auto corpus = cpamd::test::load_corpus(FUZZ_CORPUS_DIR);
    std::mt19937_64 rng(2026);
    const std::string alphabet = "{}[]\":,0123456789-.eE_katrufsnl\\u \n";
    for (int i = 0; i < 3000; ++i)
    {
        // Picked first, then mutated: the same draws from `rng` as when the loop was written here.
        const auto& picked = corpus[rng() % corpus.size()];
        std::string s = cpamd::test::mutate_json_like(picked, rng, alphabet);
        REQUIRE(cpamd::test::run_fuzz_input(s) == 0);
    }
}
