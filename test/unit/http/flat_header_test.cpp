#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/serializer.hpp>
#include <catch2/catch.hpp>
#include <cpamd/http/flat_header.hpp>

namespace bhttp = boost::beast::http;
using cpamd::http::append_chunk_size;
using cpamd::http::append_header;

namespace
{

// What Beast's own serializer writes for the header of `m`.
template <bool is_request>
std::string beast_header(bhttp::message<is_request, bhttp::empty_body>& m)
{
    bhttp::serializer<is_request, bhttp::empty_body> sr{m};
    sr.split(true);
    std::string out;
    boost::system::error_code ec;
    while (!sr.is_header_done())
        sr.next(
            ec,
            [&](boost::system::error_code&, const auto& buffers)
            {
                out += boost::beast::buffers_to_string(buffers);
                sr.consume(boost::asio::buffer_size(buffers));
            }
        );
    return out;
}

} // namespace

TEST_CASE("a flat request header is what Beast's serializer writes", "[flat_header]")
{
    bhttp::request<bhttp::empty_body> req{bhttp::verb::get, "/v0/management/config?x=1", 11};
    req.set(bhttp::field::host, "127.0.0.1:8317");
    req.set(bhttp::field::authorization, "Bearer key");
    req.insert("X-Custom", "a, b");
    req.insert("x-custom", "repeated");
    std::string flat;
    append_header(req.base(), flat);
    CHECK(flat == beast_header(req));
    CHECK(flat.starts_with("GET /v0/management/config?x=1 HTTP/1.1\r\nHost: 127.0.0.1:8317\r\n"));
    CHECK(flat.ends_with("x-custom: repeated\r\n\r\n"));

    // A method Beast does not know, and HTTP/1.0.
    req.method_string("PURGE");
    req.version(10);
    flat.clear();
    append_header(req.base(), flat);
    CHECK(flat == beast_header(req));
    CHECK(flat.starts_with("PURGE /v0/management/config?x=1 HTTP/1.0\r\n"));
}

TEST_CASE("a flat response header is what Beast's serializer writes", "[flat_header]")
{
    for (unsigned code : {200u, 204u, 404u, 429u, 502u, 599u})
    {
        bhttp::response<bhttp::empty_body> res{static_cast<bhttp::status>(code), 11};
        res.set(bhttp::field::content_type, "application/json");
        res.set(bhttp::field::content_length, "12");
        std::string flat;
        append_header(res.base(), flat);
        CHECK(flat == beast_header(res));
    }
    bhttp::response<bhttp::empty_body> res{bhttp::status::ok, 11};
    res.reason("Fine");
    std::string flat;
    append_header(res.base(), flat);
    CHECK(flat == "HTTP/1.1 200 Fine\r\n\r\n");
    CHECK(flat == beast_header(res));
}

TEST_CASE("chunk sizes are lower-case hex", "[flat_header]")
{
    std::string out;
    append_chunk_size(0, out);
    append_chunk_size(10, out);
    append_chunk_size(65536, out);
    CHECK(out == "0\r\na\r\n10000\r\n");
}

TEST_CASE("a field is written as its line, whether parsed, set, replaced or added", "[flat_header]")
{
    bhttp::request_parser<bhttp::empty_body> p;
    const std::string raw =
        "GET / HTTP/1.1\r\nHost: a\r\nX-Empty:\r\nX-Long: " + std::string(300, 'v') + "\r\n\r\n";
    boost::system::error_code ec;
    p.put(boost::asio::buffer(raw), ec);
    REQUIRE_FALSE(ec);
    auto& h = p.get();
    h.set(bhttp::field::host, "a-much-longer-host-than-before.example:8443");
    h.insert("X-Added", "1");
    std::string lines;
    for (const auto& f : h)
        cpamd::http::append_field(f, lines);
    // set() replaces a field at the end of the list.
    CHECK(
        lines == "X-Empty: \r\nX-Long: " + std::string(300, 'v') +
                     "\r\nHost: a-much-longer-host-than-before.example:8443\r\nX-Added: 1\r\n"
    );
    std::string by_parts;
    cpamd::http::append_field("Name", "value", by_parts);
    CHECK(by_parts == "Name: value\r\n");
}
