// CPA's answers as the relay parses them: the flat head, and the body handed out piece by piece
// into a bounded buffer, whatever the framing.

#include <array>
#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <catch2/catch.hpp>
#include <cpamd/proxy/response_head.hpp>
#include <string>

namespace
{

namespace bhttp = boost::beast::http;
using cpamd::proxy::response_head_parser;

// Feeds `raw` to `p` in pieces of at most `piece` bytes and drains the body through a buffer of
// `room` bytes, as the relay does; returns the body.
std::string read_all(response_head_parser& p, const std::string& raw, std::size_t piece, std::size_t room)
{
    std::string pending, body;
    std::size_t fed = 0;
    std::string buffer(room, '\0');
    while (!p.is_done())
    {
        // As the relay does (http::parse_buffered): the parser is only given bytes, never nothing.
        boost::system::error_code ec;
        if (!pending.empty())
        {
            p.body_to(buffer.data(), buffer.size());
            pending.erase(0, p.put(boost::asio::buffer(pending), ec));
            body.append(buffer.data(), room - p.body_room());
            if (p.is_done())
                break;
        }
        if (pending.empty() || ec == bhttp::error::need_more)
        {
            if (fed >= raw.size())
                FAIL("the parser wants more than the whole answer");
            pending += raw.substr(fed, piece);
            fed += piece;
        }
        else if (ec && ec != bhttp::error::need_buffer)
            FAIL(ec.message());
    }
    return body;
}

} // namespace

TEST_CASE("a response head: status, reason, fields in order as lines, first value by code", "[response_head]")
{
    response_head_parser p;
    p.eager(false);
    const std::string raw = "HTTP/1.1 404 Not Here\r\n"
                            "Content-Type: application/json\r\n"
                            "X-CPA-VERSION:   7.2.140  \r\n"
                            "Set-Cookie: a=1\r\n"
                            "set-cookie: b=2\r\n"
                            "Content-Length: 2\r\n"
                            "\r\n"
                            "{}";
    boost::system::error_code ec;
    p.put(boost::asio::buffer(raw), ec);
    REQUIRE_FALSE(ec);
    REQUIRE(p.is_header_done());
    const auto& h = p.head();
    CHECK(h.status() == 404);
    CHECK(h.reason() == "Not Here");
    CHECK(h.version() == 11);
    REQUIRE(h.size() == 5);
    CHECK(h.field(0).code == bhttp::field::content_type);
    CHECK(h.field(0).line == "Content-Type: application/json\r\n");
    CHECK(h.field(1).code == bhttp::field::unknown);
    CHECK(h.field(1).name == "X-CPA-VERSION");
    CHECK(h.field(1).value == "7.2.140"); // surrounding whitespace is not part of a value
    CHECK(h.field(1).line == "X-CPA-VERSION: 7.2.140\r\n");
    CHECK(h.field(3).line == "set-cookie: b=2\r\n"); // names as received, repeats kept
    CHECK(h.value(bhttp::field::set_cookie) == "a=1");
    CHECK(h.value(bhttp::field::content_length) == "2");
    CHECK(h.value(bhttp::field::connection).empty());
}

TEST_CASE("an interim 1xx answer's fields do not leak into the final head", "[response_head]")
{
    const std::string interim = "HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n";
    const std::string final_answer = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
    response_head_parser first;
    boost::system::error_code ec;
    first.put(boost::asio::buffer(interim), ec);
    REQUIRE_FALSE(ec);
    CHECK(first.head().status() == 103);
    CHECK(first.head().size() == 1);

    response_head_parser second;
    second.put(boost::asio::buffer(final_answer), ec);
    REQUIRE_FALSE(ec);
    CHECK(second.head().status() == 200);
    REQUIRE(second.head().size() == 1);
    CHECK(second.head().value(bhttp::field::link).empty());
}

TEST_CASE(
    "a body arrives whole through a small buffer, whatever its framing and its pieces", "[response_head]"
)
{
    std::string payload;
    for (int i = 0; i < 3000; ++i)
        payload += static_cast<char>('a' + i % 26);
    const std::string sized =
        "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(payload.size()) + "\r\n\r\n" + payload;
    const std::string chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                                "3e8\r\n" +
                                payload.substr(0, 1000) + "\r\n" + "7d0;ext=1\r\n" + payload.substr(1000) +
                                "\r\n0\r\n\r\n";
    for (const auto* raw : {&sized, &chunked})
        for (std::size_t piece : {1u, 7u, 4096u})
            for (std::size_t room : {1u, 100u, 65536u})
            {
                response_head_parser p;
                p.body_limit(boost::none);
                CAPTURE(piece, room);
                CHECK(read_all(p, *raw, piece, room) == payload);
                CHECK(p.keep_alive());
            }
}

TEST_CASE("a body ended by close is read to the end and the connection is not kept", "[response_head]")
{
    response_head_parser p;
    const std::string raw = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end";
    std::array<char, 4> room{};
    std::string body;
    boost::system::error_code ec;
    std::size_t at = 0;
    while (at < raw.size())
    {
        p.body_to(room.data(), room.size());
        at += p.put(boost::asio::buffer(raw.data() + at, raw.size() - at), ec);
        body.append(room.data(), room.size() - p.body_room());
        REQUIRE((!ec || ec == bhttp::error::need_buffer || ec == bhttp::error::need_more));
    }
    p.put_eof(ec);
    REQUIRE_FALSE(ec);
    CHECK(p.is_done());
    CHECK(body == "until the end");
    CHECK_FALSE(p.keep_alive());
}

TEST_CASE("a response head over the header limit is refused", "[response_head]")
{
    response_head_parser p;
    p.header_limit(64);
    const std::string raw = "HTTP/1.1 200 OK\r\nX-Long: " + std::string(200, 'x') + "\r\n\r\n";
    boost::system::error_code ec;
    p.put(boost::asio::buffer(raw), ec);
    CHECK(ec == bhttp::error::header_limit);
}

TEST_CASE("a head's field lines lie one after another", "[response_head]")
{
    response_head_parser p;
    const std::string raw = "HTTP/1.1 200 OK\r\nA: 1\r\nBb: 22\r\nContent-Length: 0\r\n\r\n";
    boost::system::error_code ec;
    p.put(boost::asio::buffer(raw), ec);
    REQUIRE_FALSE(ec);
    const auto& h = p.head();
    REQUIRE(h.size() == 3);
    for (std::size_t i = 0; i + 1 < h.size(); ++i)
        CHECK(h.field(i).line.data() + h.field(i).line.size() == h.field(i + 1).line.data());
    CHECK(std::string_view(h.field(0).line.data(), 24) == "A: 1\r\nBb: 22\r\nContent-Le");
}
