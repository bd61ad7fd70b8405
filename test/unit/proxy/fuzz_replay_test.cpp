#include <catch2/catch.hpp>
#include <cpamd/test/fuzz_corpus.hpp>
#include <random>
#include <string>

// fuzz/fuzz_response_head.cpp aborts on a broken property, so returning at all is the check.

TEST_CASE("response head fuzz entry point accepts every seed corpus file", "[proxy][fuzz]")
{
    auto corpus = cpamd::test::load_corpus(FUZZ_CORPUS_DIR);
    REQUIRE(corpus.size() >= 7);
    for (const auto& c : corpus)
        CHECK(cpamd::test::run_fuzz_input(c) == 0);
}

TEST_CASE("response head fuzz entry point survives mutated answers", "[proxy][fuzz]")
{
    auto corpus = cpamd::test::load_corpus(FUZZ_CORPUS_DIR);
    std::mt19937_64 rng(20261123);
    const std::string alphabet = "HTP/1.0 2345\r\n:;=-abcdefxyzContent-LengthTransfer-Encoding chunked";
    for (int i = 0; i < 20000; ++i)
    {
        // Flip, insert and delete bytes of a seed; sometimes append another seed (pipelined).
        std::string s = corpus[rng() % corpus.size()];
        if (rng() % 4 == 0)
            s += corpus[rng() % corpus.size()];
        int edits = 1 + static_cast<int>(rng() % 4);
        for (int e = 0; e < edits && !s.empty(); ++e)
        {
            std::size_t at = rng() % s.size();
            char c = rng() % 8 == 0 ? static_cast<char>(rng() & 0xff) : alphabet[rng() % alphabet.size()];
            switch (rng() % 3)
            {
            case 0:
                s[at] = c;
                break;
            case 1:
                s.insert(s.begin() + static_cast<std::ptrdiff_t>(at), c);
                break;
            default:
                s.erase(at, 1);
            }
        }
        REQUIRE(cpamd::test::run_fuzz_input(s) == 0);
    }
}
