#include <catch2/catch.hpp>
#include <cpamd/http/exchange.hpp>

using cpamd::http::is_clean_path;

TEST_CASE("path tricks are refused", "[exchange]")
{
    CHECK(is_clean_path("/"));
    CHECK(is_clean_path("/v0/management/auth-files/a.json"));
    CHECK(is_clean_path("/files/..hidden"));
    CHECK_FALSE(is_clean_path(""));
    CHECK_FALSE(is_clean_path("health"));
    CHECK_FALSE(is_clean_path("http://x/health"));
    CHECK_FALSE(is_clean_path("/a/../health"));
    CHECK_FALSE(is_clean_path("/a/./health"));
    CHECK_FALSE(is_clean_path("/a/.."));
    CHECK_FALSE(is_clean_path("/a/%2e%2e/b"));
    CHECK_FALSE(is_clean_path("/a/%2E./b"));
    CHECK_FALSE(is_clean_path("/a%00b"));
}

TEST_CASE("query values are split and decoded", "[exchange]")
{
    cpamd::http::request_header h;
    h.method(cpamd::http::bhttp::verb::get);
    cpamd::http::exchange ex(h, "/x?count=5&name=a%20b+c&flag&count=9&e=", {});
    CHECK(ex.path() == "/x");
    CHECK(ex.query_value("count") == "5");
    CHECK(ex.query_value("name") == "a b c");
    CHECK(ex.query_value("flag") == "");
    CHECK(ex.query_value("e") == "");
    CHECK_FALSE(ex.query_value("missing"));

    cpamd::http::exchange bare(h, "/y", {});
    CHECK(bare.path() == "/y");
    CHECK(bare.query().empty());
    CHECK_FALSE(bare.query_value("count"));
}

TEST_CASE("malformed percent escapes are kept literally", "[exchange]")
{
    CHECK(cpamd::http::decode_query_component("100%") == "100%");
    CHECK(cpamd::http::decode_query_component("%zz%4") == "%zz%4");
    CHECK(cpamd::http::decode_query_component("%41%42") == "AB");
}
