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

TEST_CASE("doubles are written as Go writes a float64, not 7.3E0", "[json]")
{
    auto text = [](double d)
    {
        std::string out;
        cpamd::go_json::append_number(d, out);
        return out;
    };
    CHECK(text(7.3) == "7.3");
    CHECK(text(0.0) == "0");
    CHECK(text(100.0) == "100");
    CHECK(text(-0.25) == "-0.25");
    CHECK(text(123456789.125) == "123456789.125");
    CHECK(text(1e20) == "100000000000000000000");
    CHECK(text(1e21) == "1e+21");
    CHECK(text(1e-7) == "1e-7");
    CHECK(text(1.5e-10) == "1.5e-10");
    CHECK(text(0.000001) == "0.000001");
    CHECK(text(1e300) == "1e+300");

    boost::json::object o;
    o["eventsPerSecond"] = 7.3;
    o["nested"] = boost::json::array{1, 0.5, "<x>", boost::json::object{{"z", 2.0}}};
    o["n"] = -3;
    const auto encoded = cpamd::go_json::encode(o);
    CHECK(encoded == "{\"eventsPerSecond\":7.3,\"nested\":[1,0.5,\"\\u003cx\\u003e\",{\"z\":2}],\"n\":-3}\n");
    CHECK(boost::json::parse(encoded).at("eventsPerSecond").to_number<double>() == 7.3);
}
