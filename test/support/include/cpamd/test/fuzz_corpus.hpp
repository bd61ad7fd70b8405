#pragma once

// Replaying a libFuzzer entry point from a plain (g++) test: the seed corpus and a call helper.
// The test links exactly one fuzz source, which defines LLVMFuzzerTestOneInput.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace cpamd::test
{

// Every file of a corpus directory, as bytes.
inline std::vector<std::string> load_corpus(const std::filesystem::path& dir)
{
    std::vector<std::string> out;
    for (const auto& e : std::filesystem::directory_iterator(dir))
    {
        std::ifstream f(e.path(), std::ios::binary);
        out.emplace_back(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
    }
    return out;
}

// 1 to 6 random edits of `s` (replace, insert or delete bytes drawn from `alphabet`, or truncate):
// the JSON-ish mutations the usage and price-source replay tests share.
inline std::string mutate_json_like(std::string s, std::mt19937_64& rng, const std::string& alphabet)
{
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
    return s;
}

inline int run_fuzz_input(const std::string& s)
{
    return LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
}

} // namespace cpamd::test
