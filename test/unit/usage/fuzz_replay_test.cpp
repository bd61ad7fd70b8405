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
        std::string s = corpus[rng() % corpus.size()];
        int edits = 1 + static_cast<int>(rng() % 6);
        for (int e = 0; e < edits && !s.empty(); ++e)
        {
            std::size_t at = rng() % s.size();
            switch (rng() % 4)
            {
            case 0:
                s[at] = alphabet[rng() % alphabet.size()];
                break;
            case 1:
                s.insert(s.begin() + static_cast<std::ptrdiff_t>(at), alphabet[rng() % alphabet.size()]);
                break;
            case 2:
                s.erase(at, 1 + rng() % 8);
                break;
            default:
                s.resize(at);
                break;
            }
        }
        REQUIRE(run(s) == 0);
    }
}
