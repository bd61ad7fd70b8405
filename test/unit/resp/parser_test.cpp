#include <catch2/catch.hpp>
#include <cpamd/resp/command.hpp>
#include <cpamd/resp/encode.hpp>
#include <cpamd/resp/parser.hpp>
#include <string>
#include <vector>

using namespace cpamd::resp;

namespace
{

struct parse_outcome
{
    std::vector<value> frames;
    errc error = errc::none;
    bool mid_frame = false;
};

// Feeds `data` in pieces of `step` bytes (0 = whole) and collects every frame.
parse_outcome parse(std::string_view data, std::size_t step = 0, limits l = {})
{
    parser p(l);
    parse_outcome out;
    std::size_t pos = 0;
    while (pos < data.size())
    {
        std::size_t n = step == 0 ? data.size() - pos : std::min(step, data.size() - pos);
        std::string_view chunk = data.substr(pos, n);
        pos += n;
        while (!chunk.empty())
        {
            auto s = p.feed(chunk);
            if (s == parser::status::error)
            {
                out.error = p.error();
                return out;
            }
            if (s == parser::status::done)
                out.frames.push_back(p.take());
        }
    }
    out.mid_frame = p.mid_frame();
    return out;
}

std::string reencode(const std::vector<value>& frames)
{
    std::string s;
    for (const auto& f : frames)
        append_value(s, f);
    return s;
}

} // namespace

TEST_CASE("parses every RESP2 type")
{
    auto r = parse("+OK\r\n-ERR x y\r\n:-42\r\n$5\r\nhello\r\n$0\r\n\r\n$-1\r\n*-1\r\n*0\r\n");
    REQUIRE(r.error == errc::none);
    REQUIRE(r.frames.size() == 8);
    CHECK(r.frames[0].type == kind::simple_string);
    CHECK(r.frames[0].text == "OK");
    CHECK(r.frames[1].type == kind::error);
    CHECK(r.frames[1].text == "ERR x y");
    CHECK(r.frames[2].integer == -42);
    CHECK(r.frames[3].text == "hello");
    CHECK(r.frames[4].type == kind::bulk_string);
    CHECK(r.frames[4].text.empty());
    CHECK(r.frames[5].type == kind::null_bulk);
    CHECK(r.frames[6].type == kind::null_array);
    CHECK(r.frames[7].type == kind::array);
    CHECK(r.frames[7].elements.empty());
}

TEST_CASE("parses a push message frame and a nil-pong reply")
{
    std::string in = encode_message("usage", R"({"refresh":true})") + "*2\r\n$4\r\npong\r\n$-1\r\n";
    auto r = parse(in);
    REQUIRE(r.frames.size() == 2);
    REQUIRE(r.frames[0].elements.size() == 3);
    CHECK(r.frames[0].elements[0].text == "message");
    CHECK(r.frames[0].elements[1].text == "usage");
    CHECK(r.frames[0].elements[2].text == R"({"refresh":true})");
    CHECK(r.frames[1].elements[1].type == kind::null_bulk);
}

TEST_CASE("binary-safe bulk strings may contain CRLF")
{
    auto r = parse("$4\r\n\r\n\r\n\r\n");
    REQUIRE(r.frames.size() == 1);
    CHECK(r.frames[0].text == "\r\n\r\n");
}

TEST_CASE("split at every byte boundary gives the same frames")
{
    const std::string stream =
        "*3\r\n$7\r\nmessage\r\n$5\r\nusage\r\n$24\r\n{\"support_refresh\":true}\r\n"
        "*2\r\n*1\r\n:1\r\n*2\r\n+a\r\n$-1\r\n+OK\r\n-NOAUTH Authentication required.\r\n"
        "*2\r\n$4\r\npong\r\n$-1\r\n:123456789\r\n$0\r\n\r\n";
    auto whole = parse(stream);
    REQUIRE(whole.error == errc::none);
    REQUIRE(whole.frames.size() == 7);
    const std::string expected = reencode(whole.frames);
    CHECK(expected == stream);
    // Every two-piece split, then every chunk size.
    for (std::size_t cut = 1; cut < stream.size(); ++cut)
    {
        parser p;
        std::vector<value> frames;
        for (std::string_view part :
             {std::string_view(stream).substr(0, cut), std::string_view(stream).substr(cut)})
            while (!part.empty())
                if (p.feed(part) == parser::status::done)
                    frames.push_back(p.take());
        INFO("cut at " << cut);
        CHECK(reencode(frames) == expected);
    }
    for (std::size_t step = 1; step <= 8; ++step)
    {
        auto r = parse(stream, step);
        INFO("step " << step);
        CHECK(r.error == errc::none);
        CHECK(reencode(r.frames) == expected);
    }
}

TEST_CASE("a partial frame reports need_more and mid_frame")
{
    auto r = parse("*2\r\n$4\r\nAUTH\r\n$6\r\ns3c");
    CHECK(r.error == errc::none);
    CHECK(r.frames.empty());
    CHECK(r.mid_frame);
}

TEST_CASE("garbage is a clear error, never a crash")
{
    CHECK(parse("PING\r\n").error == errc::bad_type_byte);
    CHECK(parse("\r\n").error == errc::bad_type_byte);
    CHECK(parse("+OK\n").error == errc::bad_line);
    CHECK(parse(":12a\r\n").error == errc::bad_integer);
    CHECK(parse(":\r\n").error == errc::bad_integer);
    CHECK(parse(":+1\r\n").error == errc::bad_integer);
    CHECK(parse(":99999999999999999999\r\n").error == errc::bad_integer);
    CHECK(parse("$-2\r\n").error == errc::bad_length);
    CHECK(parse("*-5\r\n").error == errc::bad_length);
    CHECK(parse("$3\r\nabcd\r\n").error == errc::bad_bulk_end);
    CHECK(parse("$3\r\nabc\n\r").error == errc::bad_bulk_end);
    CHECK(parse("*1\r\n$4\r\nPINGxx").error == errc::bad_bulk_end);
    CHECK(parse("*1\r\nPING\r\n").error == errc::bad_type_byte);
    CHECK(parse(std::string("+a\0b\r\n", 6)).frames.size() == 1);
    CHECK(describe(errc::too_deep) == std::string("arrays nested too deeply"));
}

TEST_CASE("huge declared lengths are rejected before allocating")
{
    CHECK(parse("$9223372036854775807\r\n").error == errc::bulk_too_large);
    CHECK(parse("*9223372036854775807\r\n").error == errc::too_many_elements);
    limits l;
    l.max_bulk = 10;
    CHECK(parse("$11\r\n", 0, l).error == errc::bulk_too_large);
    CHECK(parse("$10\r\n0123456789\r\n", 0, l).frames.size() == 1);
    l = limits{};
    l.max_frame = 100;
    CHECK(parse("*50\r\n", 0, l).error == errc::frame_too_large);
    l = limits{};
    l.max_line = 8;
    CHECK(parse("+0123456789\r\n", 0, l).error == errc::bad_line);
    CHECK(parse("+0123456789", 1, l).error == errc::bad_line);
}

TEST_CASE("nesting beyond the limit is an error")
{
    limits l;
    l.max_depth = 3;
    CHECK(parse("*1\r\n*1\r\n*1\r\n:1\r\n", 0, l).frames.size() == 1);
    CHECK(parse("*1\r\n*1\r\n*1\r\n*1\r\n:1\r\n", 0, l).error == errc::too_deep);
    // 100 000 nested arrays: bounded, no stack overflow.
    std::string deep;
    for (int i = 0; i < 100000; ++i)
        deep += "*1\r\n";
    CHECK(parse(deep).error == errc::too_deep);
}

TEST_CASE("the parser stays failed until reset")
{
    parser p;
    std::string_view bad = "?";
    CHECK(p.feed(bad) == parser::status::error);
    std::string_view good = "+OK\r\n";
    CHECK(p.feed(good) == parser::status::error);
    p.reset();
    CHECK(p.feed(good) == parser::status::done);
    CHECK(p.take().text == "OK");
}

TEST_CASE("command_reader applies CPA's element rules")
{
    command_reader r;
    command cmd;
    std::string_view in = "*4\r\n$4\r\nRPOP\r\n+usage\r\n:10\r\n$-1\r\n*0\r\n";
    REQUIRE(r.feed(in, cmd) == command_status::done);
    CHECK(cmd == command{"RPOP", "usage", "10", ""});
    REQUIRE(r.feed(in, cmd) == command_status::done);
    CHECK(cmd.empty());
    CHECK(in.empty());

    command_reader nested;
    std::string_view n = "*1\r\n*1\r\n:1\r\n";
    CHECK(nested.feed(n, cmd) == command_status::error);

    command_reader not_array;
    std::string_view s = "+PING\r\n";
    CHECK(not_array.feed(s, cmd) == command_status::error);

    command_reader err_elem;
    std::string_view e = "*1\r\n-ERR\r\n";
    CHECK(err_elem.feed(e, cmd) == command_status::error);

    command_reader big;
    std::string_view b = "*1\r\n$2000000\r\n";
    CHECK(big.feed(b, cmd) == command_status::error);
    CHECK(big.error() == errc::bulk_too_large);
    CHECK(to_lower("SubScribe") == "subscribe");
}
