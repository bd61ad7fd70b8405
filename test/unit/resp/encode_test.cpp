#include <catch2/catch.hpp>
#include <cpamd/resp/encode.hpp>

using namespace cpamd::resp;

TEST_CASE("encoders produce byte-exact RESP2")
{
    std::string out;
    append_simple(out, "OK");
    append_error(out, "ERR empty command");
    append_integer(out, -7);
    append_bulk(out, "");
    append_null_bulk(out);
    append_array_header(out, 2);
    CHECK(out == "+OK\r\n-ERR empty command\r\n:-7\r\n$0\r\n\r\n$-1\r\n*2\r\n");
    CHECK(encode_command({"AUTH", "s3cret"}) == "*2\r\n$4\r\nAUTH\r\n$6\r\ns3cret\r\n");
    CHECK(
        encode_message("usage", R"({"support_refresh":true})") ==
        "*3\r\n$7\r\nmessage\r\n$5\r\nusage\r\n$24\r\n{\"support_refresh\":true}\r\n"
    );
}

TEST_CASE("append_value re-encodes nested values")
{
    value v;
    v.type = kind::array;
    value a;
    a.type = kind::bulk_string;
    a.text = "pong";
    value b;
    b.type = kind::null_bulk;
    v.elements = {a, b};
    std::string out;
    append_value(out, v);
    CHECK(out == "*2\r\n$4\r\npong\r\n$-1\r\n");
    CHECK(debug_string(v) == "[\"pong\", (nil)]");
}
