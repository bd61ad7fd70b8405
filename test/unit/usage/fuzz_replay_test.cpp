// Drives the usage fuzz entry point (fuzz/fuzz_usage_record.cpp) over the seed corpus and
// deterministic mutations, so its properties are checked on every `scripts/test` run.

#include <catch2/catch.hpp>
#include <cpamd/test/fuzz_corpus.hpp>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

namespace
{

std::vector<std::string> load_corpus()
{
    return cpamd::test::load_corpus(FUZZ_CORPUS_DIR);
}
int run(const std::string& s)
{
    return cpamd::test::run_fuzz_input(s);
}

} // namespace

TEST_CASE("usage fuzz entry point accepts every seed", "[usage][fuzz]")
{
    auto corpus = load_corpus();
    REQUIRE(corpus.size() >= 6);
    for (const auto& c : corpus)
        CHECK(run(c) == 0);
}

TEST_CASE("usage fuzz entry point survives mutated inputs", "[usage][fuzz]")
{
    auto corpus = load_corpus();
    std::mt19937_64 rng(2026);
    const std::string alphabet = "{}[]\":,0123456789-.eEtrufalsn\\u \n";
    for (int i = 0; i < 6000; ++i)
    {
        // Picked first, then mutated: the same draws from `rng` as when the loop was written here.
        const auto& picked = corpus[rng() % corpus.size()];
        std::string s = cpamd::test::mutate_json_like(picked, rng, alphabet);
        REQUIRE(run(s) == 0);
    }
}
