// libFuzzer entry point for the RESP parser. Also linked into a plain g++ replay executable
// (test/unit/resp) so the same checks run without clang.
//
// Properties checked: no crash or sanitizer report on any input; feeding the input whole or
// split byte by byte gives the same frames; every frame re-encodes and re-parses to itself.

#include <cpamd/resp/command.hpp>
#include <cpamd/resp/encode.hpp>
#include <cpamd/resp/parser.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace
{

cpamd::resp::limits small_limits()
{
    cpamd::resp::limits l;
    l.max_bulk = 1 << 16;
    l.max_elements = 1 << 12;
    l.max_depth = 4;
    l.max_frame = 1 << 20;
    l.max_line = 1 << 12;
    return l;
}

// Parses all frames in `data`, feeding `step` bytes at a time (0 = all at once).
std::vector<std::string> parse_all(std::string_view data, std::size_t step, bool& failed)
{
    cpamd::resp::parser p(small_limits());
    std::vector<std::string> frames;
    failed = false;
    std::size_t pos = 0;
    while (pos < data.size())
    {
        std::size_t n = step == 0 ? data.size() - pos : std::min(step, data.size() - pos);
        std::string_view chunk = data.substr(pos, n);
        while (true)
        {
            auto before = chunk.size();
            auto s = p.feed(chunk);
            if (s == cpamd::resp::parser::status::error)
            {
                failed = true;
                return frames;
            }
            if (s == cpamd::resp::parser::status::done)
            {
                std::string enc;
                cpamd::resp::append_value(enc, p.take());
                frames.push_back(std::move(enc));
                continue;
            }
            if (chunk.empty() || chunk.size() == before)
                break;
        }
        pos += n;
    }
    return frames;
}

void check(bool ok)
{
    if (!ok)
        std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    std::string_view in(reinterpret_cast<const char*>(data), size);
    bool failed_whole = false;
    bool failed_split = false;
    auto whole = parse_all(in, 0, failed_whole);
    auto split = parse_all(in, size > 4096 ? 97 : 1, failed_split);
    check(whole == split);
    check(failed_whole == failed_split);

    // Round trip: a re-encoded frame parses back to the same bytes.
    for (const auto& f : whole)
    {
        bool failed = false;
        auto again = parse_all(f, 0, failed);
        check(!failed && again.size() == 1 && again[0] == f);
    }

    // The command reader on the same bytes must not crash either.
    cpamd::resp::command_reader reader;
    cpamd::resp::command cmd;
    std::string_view rest = in;
    while (!rest.empty())
    {
        auto s = reader.feed(rest, cmd);
        if (s != cpamd::resp::command_status::done)
            break;
    }
    return 0;
}
