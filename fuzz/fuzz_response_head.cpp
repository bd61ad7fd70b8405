// libFuzzer entry point for proxy::response_head_parser, the parser of CPA's answers. Also linked
// into a plain g++ replay test (test/unit/proxy) so the same checks run without clang.
//
// Properties: no crash or sanitizer report on any input; the head's field lines lie back to back
// and each is "name: value\r\n"; the outcome (head, body bytes, done or failed) is the same
// whether the answer arrives whole into a large body buffer or in pieces into a small one, the
// sizes chosen by the input's first byte.

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <cpamd/proxy/response_head.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace
{

namespace bhttp = boost::beast::http;
using cpamd::proxy::response_head_parser;

struct outcome
{
    bool done = false;
    bool failed = false;
    unsigned status = 0;
    std::string lines; // every field line, in order
    std::string body;
    bool operator==(const outcome&) const = default;
};

void check_lines(const cpamd::proxy::response_head& head)
{
    for (std::size_t i = 0; i < head.size(); ++i)
    {
        auto f = head.field(i);
        std::string expected = std::string(f.name) + ": " + std::string(f.value) + "\r\n";
        if (f.line != expected)
            std::abort();
        if (i + 1 < head.size() && head.field(i + 1).line.data() != f.line.data() + f.line.size())
            std::abort();
    }
}

// Parses `input` as the relay does: fed `piece` bytes at a time, the body through a buffer of
// `room` bytes that is emptied whenever the parser asks for more (error::need_buffer).
outcome parse(std::string_view input, std::size_t piece, std::size_t room)
{
    response_head_parser p;
    p.body_limit(boost::none);
    std::vector<char> buffer(room);
    outcome out;
    p.body_to(buffer.data(), buffer.size());
    auto take_body = [&]
    {
        out.body.append(buffer.data(), buffer.size() - p.body_room());
        p.body_to(buffer.data(), buffer.size());
    };

    std::string pending;
    std::size_t fed = 0;
    boost::system::error_code ec;
    while (!p.is_done() && !out.failed)
    {
        if (pending.empty() || ec == bhttp::error::need_more)
        {
            if (fed == input.size())
                break;
            std::size_t n = std::min(piece, input.size() - fed);
            pending.append(input.substr(fed, n));
            fed += n;
        }
        ec = {};
        std::size_t used = p.put(boost::asio::buffer(pending), ec);
        pending.erase(0, used);
        if (!ec && used == 0)
            ec = bhttp::error::need_more; // no progress without more bytes
        if (ec == bhttp::error::need_buffer)
            take_body();
        else if (ec && ec != bhttp::error::need_more)
            out.failed = true;
    }
    if (!p.is_done() && !out.failed && p.got_some())
    {
        // The input ended: a body delimited by the connection's close ends here.
        ec = {};
        p.put_eof(ec);
        out.failed = static_cast<bool>(ec);
    }
    take_body();
    out.done = p.is_done();
    if (p.is_header_done())
    {
        check_lines(p.head());
        out.status = p.head().status();
        for (std::size_t i = 0; i < p.head().size(); ++i)
            out.lines += p.head().field(i).line;
    }
    return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    std::string_view input(reinterpret_cast<const char*>(data), size);
    const auto whole = parse(input, input.size() + 1, 64 * 1024);
    const std::size_t piece = size == 0 ? 1 : 1 + data[0] % 17;
    const std::size_t room = size == 0 ? 1 : 1 + data[size - 1] % 13;
    if (!(parse(input, piece, room) == whole))
        std::abort();
    return 0;
}
