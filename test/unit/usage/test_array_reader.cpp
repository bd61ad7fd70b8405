#include "fixtures.hpp"

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>
#include <cpamd/usage/import_formats.hpp>
#include <string>
#include <vector>

using namespace cpamd::usage;
using namespace cpamd::usage::test;

namespace
{

struct array_run
{
    boost::system::result<void> done;
    std::vector<import_item> items;
    std::size_t error_offset = 0;
};

array_run read_array(std::string_view text, std::size_t chunk, std::size_t max_item = 1024)
{
    array_run run{{}, {}};
    json_array_reader r(fixed_clock(), max_item);
    auto cb = [&](import_item&& i) { run.items.push_back(std::move(i)); };
    for (std::size_t i = 0; i < text.size(); i += chunk)
        r.feed(text.substr(i, chunk), cb);
    run.done = r.finish(cb);
    run.error_offset = r.error_offset();
    return run;
}

// What an array import gave when the body was parsed whole: every element through parse_record.
std::vector<boost::system::result<event>> whole_parse(std::string_view text)
{
    std::vector<boost::system::result<event>> out;
    auto v = boost::json::parse(text);
    for (const auto& element : v.as_array())
        out.push_back(parse_record(element, fixed_clock()));
    return out;
}

const std::size_t chunk_sizes[] = {1, 2, 5, 64, 100000};

} // namespace

TEST_CASE("array reader: the same items as a whole parse, whatever the chunking", "[usage][import]")
{
    std::string text = std::string(" \n[ ") + std::string(codex_success) + " ,\r\n\t" +
                       std::string(claude_failure) + ",\"{\\\"timestamp\\\":2,\\\"model\\\":\\\"b]}\\\"}\"" +
                       R"(, {"timestamp":3,"model":"x\"]}[{","nested":{"a":[1,{"b":"}"}]}} ,42,null,true,)" +
                       R"(-1.5e3,[],{}, "s" ,{"refresh":true})" + " ]\n ";
    auto expected = whole_parse(text);
    REQUIRE(expected.size() == 12);
    for (auto chunk : chunk_sizes)
    {
        INFO(chunk);
        auto run = read_array(text, chunk, 1 << 20);
        REQUIRE(run.done);
        REQUIRE(run.items.size() == expected.size());
        for (std::size_t i = 0; i < expected.size(); ++i)
        {
            INFO(i);
            CHECK(run.items[i].position == i);
            REQUIRE(run.items[i].record.has_value() == expected[i].has_value());
            if (expected[i])
                CHECK(*run.items[i].record == *expected[i]);
            else
                CHECK(run.items[i].record.error() == expected[i].error());
        }
        CHECK(run.items[2].record->model == "b]}");
        CHECK(run.items[3].record->model == "x\"]}[{");
    }
}

TEST_CASE("array reader: empty arrays", "[usage][import]")
{
    for (std::string_view text : {"[]", " [ ] ", "[\n]\n"})
        for (auto chunk : chunk_sizes)
        {
            auto run = read_array(text, chunk);
            CHECK(run.done);
            CHECK(run.items.empty());
        }
}

TEST_CASE("array reader: broken structure fails the whole payload with its byte offset", "[usage][import]")
{
    struct broken_case
    {
        std::string_view text;
        boost::system::error_code error;
        std::size_t offset;
    };
    const broken_case cases[] = {
        {"[1,]", boost::json::error::syntax, 3},
        {"[,1]", boost::json::error::syntax, 1},
        {"[1 2]", boost::json::error::syntax, 3},
        {"[{} {}]", boost::json::error::syntax, 4},
        {"[1]x", boost::json::error::syntax, 3},
        {"[1] []", boost::json::error::syntax, 4},
        {"[1,2", boost::json::error::incomplete, 4},
        {"[", boost::json::error::incomplete, 1},
        {R"([{"a":"}]")", boost::json::error::incomplete, 10},
        {"x[]", errc::not_an_array, 0},
        {"   ", errc::not_an_array, 3},
    };
    for (const auto& c : cases)
        for (auto chunk : chunk_sizes)
        {
            INFO(c.text << " in chunks of " << chunk);
            auto run = read_array(c.text, chunk);
            REQUIRE_FALSE(run.done);
            CHECK(run.done.error() == c.error);
            CHECK(run.error_offset == c.offset);
            // Refused before too: json::parse of the whole body failed on every one of them.
            CHECK_THROWS(boost::json::parse(c.text));
        }
}

TEST_CASE("array reader: a bad element is a failed item, the others still parse", "[usage][import]")
{
    auto run = read_array(R"([{"timestamp":1,"model":"a"}, tru, {"x":}, {"timestamp":2,"model":"b"}])", 7);
    REQUIRE(run.done);
    REQUIRE(run.items.size() == 4);
    CHECK(run.items[0].record->model == "a");
    CHECK_FALSE(run.items[1].record);
    CHECK_FALSE(run.items[2].record);
    CHECK(run.items[3].record->model == "b");
}

TEST_CASE("array reader: an element above the limit is reported, reading goes on", "[usage][import]")
{
    std::string big = R"({"timestamp":1,"model":")" + std::string(300, 'm') + "\"}";
    std::string text = "[" + big + R"(,{"timestamp":2,"model":"b"}, )" + big + "]";
    for (auto chunk : chunk_sizes)
    {
        INFO(chunk);
        auto run = read_array(text, chunk, 200);
        REQUIRE(run.done);
        REQUIRE(run.items.size() == 3);
        CHECK(run.items[0].record.error() == errc::item_too_long);
        CHECK(run.items[1].record->model == "b");
        CHECK(run.items[2].record.error() == errc::item_too_long);
    }
}

TEST_CASE("array reader: the depth limit of a whole parse still applies", "[usage][import]")
{
    // Boost.JSON refuses more than 32 levels; the array itself is one of them.
    auto nested = [](int levels)
    {
        return "[" + std::string(static_cast<std::size_t>(levels), '[') +
               std::string(static_cast<std::size_t>(levels), ']') + "]";
    };
    auto ok = read_array(nested(31), 3);
    REQUIRE(ok.done);
    REQUIRE(ok.items.size() == 1);
    CHECK(ok.items[0].record.error() == errc::not_an_object);
    auto deep = read_array(nested(32), 3);
    REQUIRE(deep.done);
    REQUIRE(deep.items.size() == 1);
    CHECK(deep.items[0].record.error() == boost::json::error::too_deep);
    CHECK_THROWS(boost::json::parse(nested(32)));
    CHECK_NOTHROW(boost::json::parse(nested(31)));
}
