#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>
#include <cpamd/core/api_error.hpp>
#include <cpamd/core/go_json.hpp>

TEST_CASE("JSON is encoded as Go's encoder writes it", "[json]")
{
    boost::json::object o;
    o["a"] = "<b>&</b>";
    o["n"] = 5;
    CHECK(cpamd::go_json::encode(o) == "{\"a\":\"\\u003cb\\u003e\\u0026\\u003c/b\\u003e\",\"n\":5}\n");
}

TEST_CASE("line and paragraph separators are escaped like Go", "[json]")
{
    boost::json::value v = "x\xE2\x80\xA8y\xE2\x80\xA9z\xE2\x82\xAC";
    CHECK(cpamd::go_json::encode(v) == "\"x\\u2028y\\u2029z\xE2\x82\xAC\"\n");
}

TEST_CASE("escaped output still parses to the same value", "[json]")
{
    boost::json::value v = boost::json::parse(R"({"k":"a<>&b","arr":[1,"&"]})");
    auto text = cpamd::go_json::encode(v);
    CHECK(boost::json::parse(text) == v);
}

TEST_CASE("api_error bodies have error and code", "[json]")
{
    cpamd::api_error e{401, "invalid_admin_key", "invalid admin key"};
    CHECK(e.body() == "{\"error\":\"invalid admin key\",\"code\":\"invalid_admin_key\"}\n");
}
