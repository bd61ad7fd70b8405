// Pass 1 of every import (POST /usage/import, import sessions, `cpamd import`): the validator over
// real files, read in the same chunks the three entry points use.

#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>
#include <cpamd/api/usage_import.hpp>
#include <cpamd/test/temp_dir.hpp>
#include <fmt/format.h>
#include <fstream>
#include <string>

using cpamd::api::import_report;

namespace
{

const std::string good = R"({"timestamp":"2026-05-06T00:00:01Z","model":"m","tokens":{"input_tokens":1}})";

import_report validate(const std::string& body)
{
    cpamd::test::temp_dir dir;
    auto file = dir / "body";
    {
        std::ofstream f(file, std::ios::binary);
        f << body;
    }
    cpamd::usage::parse_options opts;
    opts.now = cpamd::usage::utc_time{1778025600, 0};
    return cpamd::api::validate_import_file(file, opts);
}

std::string code_of(const import_report& rep)
{
    auto o = rep.to_json();
    return o.contains("code") ? std::string(o.at("code").as_string()) : std::string();
}

bool contains(const std::string& s, std::string_view part)
{
    return s.find(part) != std::string::npos;
}

std::string padded_record(std::size_t bytes)
{
    std::string r = R"({"timestamp":"2026-05-06T00:00:02Z","model":"m","pad":")";
    r.append(bytes, 'x');
    return r + "\"}";
}

} // namespace

TEST_CASE("import: the 10 MiB line limit holds for the first line too", "[usage_import]")
{
    // Item 12 of issue 17: the first line of a body starting with '{' escaped the limit.
    // Just over the limit, and more than one read chunk (256 KiB) over it.
    std::string over = padded_record(cpamd::usage::default_max_line_bytes + 1);
    std::string big = padded_record(cpamd::usage::default_max_line_bytes + (1 << 20));
    for (std::string body :
         {over + "\n" + good + "\n", big + "\n" + good + "\n", big, over, "\n " + big + "\n" + good})
    {
        auto rep = validate(body);
        INFO(rep.error);
        CHECK(rep.status == 413);
        CHECK(code_of(rep) == "usage_import_line_too_long");
        CHECK(contains(rep.error, body.starts_with("\n") ? "line 2" : "line 1"));
        CHECK(contains(rep.error, "10 MiB"));
    }
    // Also when the too-long line is not the first one (this always worked; kept as a guard).
    auto later = validate(good + "\n" + big + "\n");
    CHECK(later.status == 413);
    CHECK(contains(later.error, "line 2"));
    // Just under the limit is fine.
    auto fits = validate(padded_record(cpamd::usage::default_max_line_bytes - 200) + "\n" + good);
    CHECK(fits.status == 200);
    CHECK(fits.total == 2);
}

TEST_CASE("import: a legacy snapshot on one line may be longer than a line", "[usage_import]")
{
    std::string legacy = R"({"usage":{"apis":{"GET /x":{"models":{"m":{"details":[)";
    std::string pad(1000, 'y');
    for (int i = 0; legacy.size() <= cpamd::usage::default_max_line_bytes; ++i)
        legacy += fmt::format(
            R"({}{{"timestamp":{},"request_id":"r{}","note":"{}"}})", i ? "," : "", 1778025600 + i, i, pad
        );
    legacy += "]}}}}}}\n";
    auto rep = validate(legacy);
    INFO(rep.error);
    CHECK(rep.status == 200);
    CHECK(rep.format == "legacy_usage_export");
}

TEST_CASE("import: JSONL errors name the line, array errors the item", "[usage_import]")
{
    // Item 13c of issue 17: a JSONL body whose first value was not one whole line was reported by
    // "item N" although N is a line number.
    struct sample
    {
        std::string body;
        std::string where;
    };
    for (const auto& [body, where] : std::vector<sample>{
             {"{\"timestamp\": oops}\n" + good + "\n", "line 1"},
             {"\n\n{\"timestamp\": oops}\n" + good, "line 3"},
             {"{\"timestamp\":1778025601,\n\"model\":\"a\"}\n{bad}\n", "line 3"},
             {good + "\n{bad}\n", "line 2"},
             {"[" + good + ", {\"timestamp\": oops}]", "item 1"},
         })
    {
        INFO(body);
        auto rep = validate(body);
        CHECK(rep.status == 400);
        CHECK(code_of(rep) == "usage_import_invalid");
        CHECK(contains(rep.error, where + ":"));
    }
}

TEST_CASE("import: out-of-range timestamps and counters reject the file by line", "[usage_import]")
{
    auto ts = validate(good + "\n" + R"({"timestamp":"0001-01-01T00:00:00Z","model":"m"})" + "\n");
    CHECK(ts.status == 400);
    CHECK(code_of(ts) == "usage_import_invalid");
    CHECK(contains(ts.error, "line 2: usage: timestamp is outside"));

    auto bad_time = validate(good + "\n" + good + "\n" + R"({"timestamp":"yesterday","model":"m"})");
    CHECK(bad_time.status == 400);
    CHECK(contains(bad_time.error, "line 3: usage: timestamp is not a valid time"));

    auto tokens = validate(R"({"timestamp":1778025601,"tokens":{"total_tokens":18446744073709551616}})");
    CHECK(tokens.status == 400);
    CHECK(contains(tokens.error, "line 1: usage: token counter is outside"));

    auto json = boost::json::serialize(tokens.to_json());
    CHECK(contains(json, "\"error\""));
    CHECK(contains(json, "\"code\""));
}
