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

TEST_CASE("fuzz entry point accepts every seed corpus file")
{
    auto corpus = load_corpus();
    REQUIRE(corpus.size() >= 8);
    for (const auto& c : corpus)
        CHECK(run(c) == 0);
}

TEST_CASE("fuzz entry point survives random and mutated inputs")
{
    auto corpus = load_corpus();
    std::mt19937_64 rng(12345);
    const std::string alphabet = "*$+-:\r\n0123456789-abcPING";
    for (int i = 0; i < 20000; ++i)
    {
        std::string s;
        if (i % 2 == 0)
        {
            // Mutate a corpus entry: flip, insert and delete bytes; sometimes concatenate two.
            s = corpus[rng() % corpus.size()];
            if (rng() % 4 == 0)
                s += corpus[rng() % corpus.size()];
            int edits = 1 + static_cast<int>(rng() % 4);
            for (int e = 0; e < edits && !s.empty(); ++e)
            {
                std::size_t at = rng() % s.size();
                switch (rng() % 3)
                {
                case 0:
                    s[at] = alphabet[rng() % alphabet.size()];
                    break;
                case 1:
                    s.insert(s.begin() + static_cast<std::ptrdiff_t>(at), alphabet[rng() % alphabet.size()]);
                    break;
                default:
                    s.erase(at, 1);
                }
            }
        }
        else
        {
            std::size_t len = rng() % 64;
            for (std::size_t k = 0; k < len; ++k)
                s.push_back(i % 4 == 1 ? static_cast<char>(rng() & 0xff) : alphabet[rng() % alphabet.size()]);
        }
        REQUIRE(run(s) == 0);
    }
}
