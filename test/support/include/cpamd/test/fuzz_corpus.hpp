#pragma once

// Replaying a libFuzzer entry point from a plain (g++) test: the seed corpus and a call helper.
// The test links exactly one fuzz source, which defines LLVMFuzzerTestOneInput.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
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

inline int run_fuzz_input(const std::string& s)
{
    return LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
}

} // namespace cpamd::test
