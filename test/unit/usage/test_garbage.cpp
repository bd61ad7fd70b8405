#include "fixtures.hpp"

#include <catch2/catch.hpp>
#include <chrono>
#include <cpamd/usage/export_codec.hpp>
#include <cpamd/usage/import_formats.hpp>
#include <cpamd/usage/parse_record.hpp>
#include <random>

using namespace cpamd::usage;
using namespace cpamd::usage::test;

TEST_CASE("garbage: malformed inputs give clear errors", "[usage][garbage]")
{
    struct sample
    {
        std::string_view input;
        std::string_view reason_contains;
    };
    for (auto [input, reason] : std::initializer_list<sample>{
             {"", "json:"},
             {"   ", "json:"},
             {"{", "json:"},
             {"{\"a\":1,}", "json:"},
             {"null", "not a JSON object"},
             {"[]", "not a JSON object"},
             {"123", "not a JSON object"},
             {"\"just text\"", "json:"},
             {"\"[1]\"", "not a JSON object"},
             {"{}", "no usage record fields"},
             {"{\"a\":1,\"b\":[true]}", "no usage record fields"},
             {"{\"timestamp\":{}}", "timestamp is not a valid time"},
             {"{\"x\":\"\xFF\"}", "json:"},
             {"{\"a\":1} {\"b\":2}", "json:"},
         })
    {
        INFO(input);
        auto r = parse_record(input, fixed_clock());
        REQUIRE_FALSE(r);
        CHECK(describe(r.error()).find(reason) != std::string::npos);
    }
}

TEST_CASE("garbage: deep nesting and huge numbers do not crash", "[usage][garbage]")
{
    std::string deep = "{\"timestamp\":1,\"x\":" + std::string(100000, '[') + std::string(100000, ']') + "}";
    CHECK_FALSE(parse_record(deep));
    // Huge numbers are refused with a reason (limits.hpp), one bound at a time.
    auto reason = [](std::string_view record)
    {
        auto r = parse_record(record, fixed_clock());
        return r ? std::string() : describe(r.error());
    };
    std::string tokens = R"("tokens":{"input_tokens":-1e300,"output_tokens":99999999999999999999999,)"
                         R"("total_tokens":18446744073709551615},"model":"m")";
    CHECK(
        reason(R"({"timestamp":1e300,"latency_ms":1e300,)" + tokens + "}").find("timestamp is outside") !=
        std::string::npos
    );
    CHECK(
        reason(R"({"timestamp":1,"latency_ms":1e300,)" + tokens + "}").find("token counter") !=
        std::string::npos
    );
    CHECK(reason(R"({"timestamp":1,"latency_ms":1e300,"model":"m"})").find("latency") != std::string::npos);
}

TEST_CASE("garbage: random mutations of real records never crash", "[usage][garbage]")
{
    std::mt19937 rng(12345);
    const std::string seeds[] = {std::string(codex_success), std::string(claude_failure)};
    std::size_t ok = 0, bad = 0;
    for (int i = 0; i < 4000; ++i)
    {
        std::string s = seeds[i % 2];
        int edits = 1 + static_cast<int>(rng() % 8);
        for (int e = 0; e < edits && !s.empty(); ++e)
        {
            std::size_t pos = rng() % s.size();
            switch (rng() % 4)
            {
            case 0:
                s[pos] = static_cast<char>(rng() % 256);
                break;
            case 1:
                s.erase(pos, 1 + rng() % 16);
                break;
            case 2:
                s.insert(pos, 1, "{}[]\":,0\\"[rng() % 9]);
                break;
            default:
                s.resize(pos);
                break;
            }
        }
        auto r = parse_record(s, fixed_clock());
        if (r)
        {
            ++ok;
            CHECK(r->event_hash.size() >= 1);
            CHECK_FALSE(r->timestamp.empty());
        }
        else
        {
            ++bad;
            CHECK_FALSE(describe(r.error()).empty());
        }
        // the import driver on the same bytes
        (void)parse_import_payload(s, fixed_clock(), [](import_item&&) {});
    }
    CHECK(ok + bad == 4000);
}

// Not run by default: ./usage_unit_tests "[bench]"
TEST_CASE("bench: parse + normalize + redact + hash + export throughput", "[.][bench]")
{
    const int n = 100000;
    auto start = std::chrono::steady_clock::now();
    std::size_t bytes = 0;
    std::string line;
    for (int i = 0; i < n; ++i)
    {
        auto r = parse_record(i % 2 ? codex_success : claude_failure, fixed_clock());
        REQUIRE(r);
        line.clear();
        append_export_line(line, *r);
        bytes += line.size();
    }
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    WARN("events/s: " << static_cast<long>(n / secs) << " (export bytes " << bytes << ")");
}
