#include "fixtures.hpp"
#include "record_generator.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>
#include <cpamd/core/go_json.hpp>
#include <cpamd/usage/event_hash.hpp>
#include <cpamd/usage/export_codec.hpp>
#include <cpamd/usage/go_marshal.hpp>
#include <cpamd/usage/import_formats.hpp>
#include <cpamd/usage/sha256.hpp>
#include <fmt/format.h>
#include <vector>

using namespace cpamd::usage;
using namespace cpamd::usage::test;

namespace
{

std::vector<import_item> collect_jsonl(std::string_view text, std::size_t chunk, std::size_t max_line = 1024)
{
    std::vector<import_item> items;
    jsonl_reader r(fixed_clock(), max_line);
    auto cb = [&](import_item&& i) { items.push_back(std::move(i)); };
    for (std::size_t i = 0; i < text.size(); i += chunk)
        r.feed(text.substr(i, chunk), cb);
    r.finish(cb);
    return items;
}

struct import_run
{
    boost::system::result<import_summary> summary;
    std::vector<import_item> items;
};

import_run run_import(std::string_view body)
{
    import_run run{import_summary{}, {}};
    run.summary = parse_import_payload(
        body, fixed_clock(), [&](import_item&& i) { run.items.push_back(std::move(i)); }
    );
    return run;
}

} // namespace

TEST_CASE("export: key order, omitempty and values", "[usage][export]")
{
    event ev;
    ev.event_hash = "h";
    ev.timestamp_ms = 1778025601000;
    ev.timestamp = "2026-05-06T00:00:01Z";
    ev.model = "gpt-5(high)";
    ev.requested_model = "gpt-5(high)";
    ev.endpoint = "POST /v1/chat/completions";
    ev.method = "POST";
    ev.path = "/v1/chat/completions";
    ev.tokens = token_counts{10, 20, 0, 0, 0, 0, 0, 30};
    ev.latency_ms = 0;
    ev.header_quota_used_percent = 37.5;
    ev.created_at_ms = 5;
    ev.response_metadata = R"({"Retry-After":"12"})";
    CHECK(
        export_line(ev) ==
        R"J({"event_hash":"h","timestamp_ms":1778025601000,"timestamp":"2026-05-06T00:00:01Z","model":"gpt-5(high)",)J"
        R"J("analytics_model":"gpt-5","requested_model":"gpt-5(high)","endpoint":"POST /v1/chat/completions",)J"
        R"("method":"POST","path":"/v1/chat/completions","input_tokens":10,"output_tokens":20,"reasoning_tokens":0,)"
        R"("cached_tokens":0,"cache_tokens":0,"cache_read_tokens":0,"cache_creation_tokens":0,"total_tokens":30,)"
        R"("latency_ms":0,"failed":false,"header_quota_used_percent":37.5,"created_at_ms":5,)"
        R"("response_metadata":{"Retry-After":"12"}})"
        "\n"
    );
}

TEST_CASE("export: Go escaping matches cpamd::go_json", "[usage][export]")
{
    std::string s = "a<b>&c \"q\" \\ \n\t\xE2\x80\xA8 \xE2\x80\xA9 \xC3\xA9 \x01";
    std::string ours;
    append_go_string(ours, s);
    CHECK(
        ours == R"("a\u003cb\u003e\u0026c \"q\" \\ \n\t\u2028 \u2029 )"
                "\xC3\xA9"
                R"( \u0001")"
    );
    CHECK(ours + "\n" == cpamd::go_json::encode(boost::json::value(s)));
    std::string bad;
    append_go_string(bad, "x\xFFy\xC0\xAF");
    CHECK(bad == R"("x\ufffdy\ufffd\ufffd")");
}

TEST_CASE("export: Go float formatting", "[usage][export]")
{
    auto f = [](double v)
    {
        std::string s;
        append_go_float(s, v);
        return s;
    };
    CHECK(f(37) == "37");
    CHECK(f(37.5) == "37.5");
    CHECK(f(0.1) == "0.1");
    CHECK(f(0) == "0");
    CHECK(f(1e-7) == "1e-7");
    CHECK(f(1e21) == "1e+21");
    CHECK(f(123456789012345680000.0) == "123456789012345680000");
    CHECK(f(-2.5e-10) == "-2.5e-10");
}

TEST_CASE("export: round trip event -> JSONL -> event keeps the event and its hash", "[usage][export]")
{
    for (auto rec : {codex_success, claude_failure})
    {
        auto ev = must_parse(rec);
        std::string line = export_line(ev);
        REQUIRE(line.back() == '\n');
        auto back = must_parse(line);
        INFO(line);
        CHECK(back == ev);
        CHECK(back.event_hash == ev.event_hash);
        CHECK(event_hash(back) == ev.event_hash); // recomputable, not only kept
        CHECK(export_line(back) == line);
    }
}

TEST_CASE("export: every field of every record version survives export and import", "[usage][export]")
{
    // Item 7 of issue 17: service tiers, client metadata, cache mode and the breakdown's buckets
    // came back missing. Every event field must come back, whatever the record's version.
    cpamd::test::record_generator gen(17);
    int with_response_model = 0, with_stream = 0, streamed = 0;
    for (int i = 0; i < 3000; ++i)
    {
        std::string record = gen.next(i);
        INFO(record);
        auto ev = must_parse(record);
        std::string line = export_line(ev);
        INFO(line);
        auto back = must_parse(line);
        CHECK(back == ev);
        CHECK(back.semantics == ev.semantics);
        CHECK(back.response_model == ev.response_model);
        CHECK(back.stream == ev.stream);
        CHECK(export_line(back) == line);
        CHECK(event_hash(back) == ev.event_hash);
        with_response_model += ev.response_model.empty() ? 0 : 1;
        with_stream += ev.stream ? 1 : 0;
        streamed += ev.stream.value_or(false) ? 1 : 0;
    }
    // The generator does make CPA v7.3 records, with and without each new field.
    CHECK(with_response_model > 50);
    CHECK(with_stream > with_response_model);
    CHECK(streamed > 0);
    CHECK(streamed < with_stream);
}

TEST_CASE("export: response_model and stream (CPA v7.3) are written when set", "[usage][export]")
{
    event ev;
    ev.event_hash = "h";
    ev.timestamp_ms = 1778025601000;
    ev.timestamp = "2026-05-06T00:00:01Z";
    ev.model = "gpt-5";
    ev.resolved_model = "gpt-5";
    ev.response_model = "gpt-5-2025-08-07";
    ev.endpoint = "-";
    ev.cache_input_mode = "separate";
    ev.stream = false; // false is a value, not "absent"
    ev.created_at_ms = 5;
    std::string line = export_line(ev);
    CHECK(
        line.find(R"("resolved_model":"gpt-5","response_model":"gpt-5-2025-08-07","endpoint":"-")") !=
        std::string::npos
    );
    CHECK(line.find(R"("cache_input_mode":"separate","stream":false,"input_tokens":0)") != std::string::npos);
    auto back = must_parse(line);
    CHECK(back.response_model == "gpt-5-2025-08-07");
    CHECK(back.stream == false);
    CHECK(back == ev);

    ev.stream = true;
    CHECK(must_parse(export_line(ev)).stream == true);

    ev.response_model.clear();
    ev.stream.reset();
    line = export_line(ev);
    CHECK(line.find("response_model") == std::string::npos);
    CHECK(line.find("stream") == std::string::npos);
    back = must_parse(line);
    CHECK(back.response_model.empty());
    CHECK_FALSE(back.stream);
}

TEST_CASE("import: an export record reads responseModel and stream", "[usage][import]")
{
    auto ev = must_parse(
        R"({"eventHash":"cafebabe","timestampMs":1778025601000,"model":"m","responseModel":" m-2025 ","stream":true})"
    );
    CHECK(ev.response_model == "m-2025");
    CHECK(ev.stream == true);
    CHECK(ev.event_hash == "cafebabe");
    auto odd =
        must_parse(R"({"event_hash":"h","timestamp_ms":1778025601000,"response_model":7,"stream":"true"})");
    CHECK(odd.response_model.empty());
    CHECK_FALSE(odd.stream);
}

TEST_CASE("export: fields no CPA record sets survive too", "[usage][export]")
{
    auto ev = must_parse(codex_success);
    ev.cache_input_mode = "separate";
    ev.header_error_kind = "quota";
    ev.header_error_code = "insufficient_quota";
    auto back = must_parse(export_line(ev));
    CHECK(back == ev);
}

TEST_CASE(
    "export: a field cut at its limit reads back the same, spaces at the cut included", "[usage][export]"
)
{
    // Found by the fuzzer: the cut left trailing spaces, which reading the export back trimmed.
    std::string spaced = "x" + std::string(5000, ' ') + "y"; // past every field's limit
    std::string record = R"({"event_hash":")" + spaced + R"(","timestamp_ms":1,"model":")" + spaced +
                         R"(","fail_summary":"e)" + std::string(5000, ' ') + R"(z"})";
    auto ev = must_parse(record);
    CHECK(ev.event_hash == "x");
    CHECK(ev.model == "x");
    CHECK(ev.fail_summary == "e");
    auto back = must_parse(export_line(ev));
    CHECK(back.event_hash == ev.event_hash);
    CHECK(back.model == ev.model);
    CHECK(back.fail_summary == ev.fail_summary);
    CHECK(export_line(back) == export_line(ev));
}

TEST_CASE("import: timestamp_ms outside the accepted range is refused", "[usage][import]")
{
    // The oldest code wrapped the year into four digits, the next one used the clock instead (a
    // new event on every import); now the record is refused (limits.hpp).
    for (auto ms :
         {"999999999999999", "-999999999999999", "9223372036854775807", "-9223372036854775808", "-1"})
    {
        INFO(ms);
        auto r = parse_record(std::string(R"({"event_hash":"h","timestamp_ms":)") + ms + "}", fixed_clock());
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error() == errc::timestamp_out_of_range);
    }
}

TEST_CASE("import: export records keep event_hash verbatim, camelCase accepted", "[usage][import]")
{
    auto ev =
        must_parse(R"({"eventHash":"cafebabe","timestampMs":1778025601000,"model":"m","requestedModel":"m",
        "inputTokens":5,"outputTokens":6,"latencyMs":7,"failed":true,"failStatusCode":502,"failSummary":"x api_key=abc",
        "source":"alice@example.com","sourceHash":"abc","apiKeyHash":"def","createdAtMs":9,
        "responseMetadata":{"b":"2","a":"1"},"accountSnapshot":"acct","authSnapshotAtMs":3})");
    CHECK(ev.event_hash == "cafebabe");
    CHECK(ev.timestamp == "2026-05-06T00:00:01Z");
    CHECK(ev.tokens.input == 5);
    CHECK(ev.latency_ms == 7);
    CHECK(ev.fail_status_code == 502);
    CHECK(ev.fail_summary == "x api_key=[redacted]");
    CHECK(ev.source == "ali***@example.com");
    CHECK(ev.source_hash == "abc");
    CHECK(ev.api_key_hash == "def");
    CHECK(ev.created_at_ms == 9);
    CHECK(ev.response_metadata == R"({"a":"1","b":"2"})");
    CHECK(ev.account_snapshot == "acct");
    CHECK(ev.auth_snapshot_at_ms == 3);
    CHECK(ev.endpoint == "-");
    // model falls back to requested / resolved
    CHECK(
        must_parse(R"({"event_hash":"h","timestamp":"2026-05-06T00:00:01Z","resolved_model":"r"})").model ==
        "r"
    );
}

TEST_CASE("import: JSONL reader reports line numbers, independent of chunking", "[usage][import]")
{
    std::string text = std::string(claude_failure).substr(0, 0) + "\n" + // line 1 blank
                       R"({"timestamp":1,"model":"a"})" + "\r\n" +       // line 2
                       "   \n" +                                         // line 3 blank
                       "{not json\n" +                                   // line 4 bad
                       R"({"refresh":true})" + "\n" +                    // line 5 control
                       R"({"timestamp":2,"model":"b"})";                 // line 6, no final newline
    for (std::size_t chunk : {std::size_t{1}, std::size_t{3}, std::size_t{7}, text.size()})
    {
        INFO(chunk);
        auto items = collect_jsonl(text, chunk);
        REQUIRE(items.size() == 4);
        CHECK(items[0].position == 2);
        CHECK(items[0].record);
        CHECK(items[0].record->model == "a");
        CHECK(items[1].position == 4);
        CHECK_FALSE(items[1].record);
        CHECK(items[2].position == 5);
        CHECK(items[2].record.error() == errc::control_payload);
        CHECK(items[3].position == 6);
        CHECK(items[3].record->model == "b");
    }
}

TEST_CASE("import: over-long JSONL lines are rejected by number", "[usage][import]")
{
    std::string text = R"({"timestamp":1,"model":"a"})"
                       "\n" +
                       std::string(5000, ' ') + "x\n" + R"({"timestamp":1,"model":"c"})";
    for (std::size_t chunk : {std::size_t{13}, text.size()})
    {
        auto items = collect_jsonl(text, chunk, 1024);
        REQUIRE(items.size() == 3);
        CHECK(items[1].position == 2);
        CHECK(items[1].record.error() == errc::line_too_long);
        CHECK(items[2].record->model == "c");
    }
}

TEST_CASE("import: the line limit holds for a first value that is a record", "[usage][import]")
{
    // Item 12 of issue 17: a body starting with '{' had its first value parsed whole, without the
    // limit every other line has, so a 100 MB first line was imported.
    std::string big = R"({"timestamp":1,"model":"a","pad":")" + std::string(3000, 'x') + "\"}";
    std::string good = R"({"timestamp":2,"model":"b"})";
    for (std::string body :
         {big + "\n" + good + "\n",
          big,
          "\n\n" + big + "\n" + good,
          R"({"timestamp":1,)"
          "\n"
          R"("model":"a","pad":")" +
              std::string(3000, 'x') + "\"}\n" + good})
    {
        INFO(body.substr(0, 40));
        std::vector<import_item> items;
        auto sum = parse_import_payload(
            body, fixed_clock(), [&](import_item&& i) { items.push_back(std::move(i)); }, 1024
        );
        REQUIRE(sum);
        CHECK(sum->failed == 1);
        REQUIRE_FALSE(items.empty());
        CHECK_FALSE(items[0].record);
        CHECK(items[0].record.error() == errc::line_too_long);
        CHECK(items[0].position == (body.starts_with("\n\n") ? 3 : 1));
        if (items.size() > 1)
            CHECK(items.back().record->model == "b");
    }
    // A legacy snapshot is one value: it may be longer than a line.
    std::string legacy = R"({"usage":{"apis":{"GET /x":{"models":{"m":{"details":[)";
    for (int i = 0; i < 40; ++i)
        legacy += fmt::format(R"({}{{"timestamp":{},"request_id":"r{}"}})", i ? "," : "", 1778025600 + i, i);
    legacy += "]}}}}}}";
    REQUIRE(legacy.size() > 1024);
    auto sum = parse_import_payload(
        legacy, fixed_clock(), [](import_item&&) {}, 1024
    );
    REQUIRE(sum);
    CHECK(sum->format == import_format::legacy_usage_export);
    CHECK(sum->failed == 0);
    CHECK(sum->items == 40);
}

TEST_CASE("import: JSON array payload with object and string items", "[usage][import]")
{
    auto run = run_import(R"(  [{"timestamp":1,"model":"a"},"{\"timestamp\":2,\"model\":\"b\"}",42])");
    REQUIRE(run.summary);
    CHECK(run.summary->format == import_format::usage_service_jsonl);
    CHECK(run.summary->items == 3);
    CHECK(run.summary->failed == 1);
    REQUIRE(run.items.size() == 3);
    CHECK(run.items[1].record->model == "b");
    CHECK(run.items[2].position == 2);
    CHECK(run.items[2].record.error() == errc::not_an_object);
    auto broken = run_import("[1,2");
    CHECK_FALSE(broken.summary);
}

TEST_CASE("import: object first then JSONL", "[usage][import]")
{
    auto run =
        run_import("\n{\"timestamp\":1,\n \"model\":\"a\"}\n{\"timestamp\":2,\"model\":\"b\"}\n\nbad\n");
    REQUIRE(run.summary);
    REQUIRE(run.items.size() == 3);
    CHECK(run.items[0].position == 2);
    CHECK(run.items[1].position == 4);
    CHECK(run.items[1].record->model == "b");
    CHECK(run.items[2].position == 6);
    CHECK(run.summary->failed == 1);
}

TEST_CASE("import: whole-payload errors", "[usage][import]")
{
    CHECK(run_import("").summary.error() == errc::empty_payload);
    CHECK(run_import(" \n\t ").summary.error() == errc::empty_payload);
    CHECK(
        run_import(R"({"total_requests":3,"success_count":3})").summary.error() == errc::no_request_details
    );
    CHECK(run_import(R"({"usage":{"total_requests":3}})").summary.error() == errc::no_request_details);
    CHECK(run_import(R"({"apis":{}})").summary.error() == errc::no_request_details);
    CHECK(
        run_import(R"({"apis":{"GET /x":{"models":{"m":{"details":[{"timestamp":1}]}}}}} {"x":1})")
            .summary.error() == errc::multiple_values
    );
}

TEST_CASE("import: legacy usage export snapshot", "[usage][import]")
{
    auto run = run_import(R"({"version":1,"usage":{"total_requests":4,"apis":{
        "POST /v1/messages":{"total_requests":2,"models":{
            "claude-sonnet-4-5":{"details":[
               {"timestamp":"2026-05-06T08:00:01+08:00","source":"alice@example.com","auth_index":"a1","latency_ms":812,
                "tokens":{"input_tokens":10,"output_tokens":20,"total_tokens":30},"failed":false},
               {"timestamp":"2026-05-06T00:00:02Z","request_id":"keepme","requested_model":"claude-x","tokens":{},"failed":true}]},
            "empty-model":{"details":[]}}},
        "GET /bad":"nope",
        "POST /v1/chat/completions":{"models":{"gpt-5":{"details":[{"no":"timestamp"},7]}}}}}})");
    REQUIRE(run.summary);
    CHECK(run.summary->format == import_format::legacy_usage_export);
    CHECK(run.summary->unsupported == 1);
    CHECK(run.summary->failed == 3); // "GET /bad" + two bad details
    REQUIRE(run.items.size() == 4);
    // byte-sorted endpoints: "GET /bad"=1, "POST /v1/chat/completions"=2, "POST /v1/messages"=3
    const auto& a = run.items[2];
    CHECK(a.endpoint_rank == 3);
    CHECK(a.model_rank == 1);
    CHECK(a.position == 0);
    REQUIRE(a.record);
    CHECK(a.record->endpoint == "POST /v1/messages");
    CHECK(a.record->method == "POST");
    CHECK(a.record->path == "/v1/messages");
    CHECK(a.record->model == "claude-sonnet-4-5");
    CHECK(a.record->timestamp == "2026-05-06T00:00:01Z");
    CHECK(a.record->source == "ali***@example.com");
    CHECK(a.record->request_id.starts_with("legacy:"));
    CHECK(a.record->request_id.size() == 7 + 16);
    CHECK(a.record->event_hash == event_hash(hash_fields_of(*a.record)));
    const auto& b = run.items[3];
    REQUIRE(b.record);
    CHECK(b.record->request_id == "keepme");
    CHECK(b.record->model == "claude-x");
    hash_fields f = hash_fields_of(*b.record);
    f.model = "claude-sonnet-4-5"; // the hash uses the model key
    CHECK(b.record->event_hash == event_hash(f));
    CHECK(run.items[0].record.error() == errc::detail_no_timestamp);
    CHECK(run.items[1].record.error() == errc::detail_not_object);
}

TEST_CASE("import: legacy usage payload (a saved /usage body)", "[usage][import]")
{
    auto run = run_import(R"({"total_requests":1,"apis":{"-":{"models":{"-":{"details":[
        {"timestamp":"2026-05-06T00:00:01Z","source":"m:sk-a...MPLE","tokens":{"input_tokens":1},"failed":false}]}}}}})"
    );
    REQUIRE(run.summary);
    CHECK(run.summary->format == import_format::legacy_usage_payload);
    REQUIRE(run.items.size() == 1);
    CHECK(run.items[0].record->endpoint == "-");
    CHECK(run.items[0].record->source == "m:sk-a...MPLE");
}

TEST_CASE("import: a saved /usage body keeps the details' response_model and stream", "[usage][import]")
{
    auto run = run_import(R"({"apis":{"-":{"models":{"gpt-5":{"details":[
        {"timestamp":"2026-05-06T00:00:01Z","response_model":"gpt-5-2025-08-07","stream":false,"failed":false},
        {"timestamp":"2026-05-06T00:00:02Z","failed":false}]}}}}})");
    REQUIRE(run.summary);
    REQUIRE(run.items.size() == 2);
    REQUIRE(run.items[0].record);
    CHECK(run.items[0].record->response_model == "gpt-5-2025-08-07");
    CHECK(run.items[0].record->stream == false);
    REQUIRE(run.items[1].record);
    CHECK(run.items[1].record->response_model.empty());
    CHECK_FALSE(run.items[1].record->stream);
}

TEST_CASE("import: legacy request_id derivation", "[usage][import]")
{
    auto detail = boost::json::parse(R"({"timestamp":"2026-05-06T00:00:01Z","api_key":"secret-value",
        "tokens":{"input_tokens":10},"note":"<a&b>","ratio":0.5,"latency_ms":812})")
                      .as_object();
    // Go's json.Marshal of the map: sorted keys, HTML escaping, redacted secret keys.
    std::string raw_json =
        R"({"detail":{"api_key":"[redacted]","latency_ms":812,"note":"\u003ca\u0026b\u003e","ratio":0.5,)"
        R"("timestamp":"2026-05-06T00:00:01Z","tokens":{"input_tokens":10}},"endpoint":"POST /v1/messages",)"
        R"("format":"legacy_usage_export","model":"claude"})";
    std::string input = "legacy|3|1|0|POST /v1/messages|claude|2026-05-06T00:00:01Z|" + raw_json;
    // printf '%s' "$input" | sha256sum | cut -c1-16
    CHECK(sha256_hex(input).substr(0, 16) == "acf8a7a8d1170ac0");
    CHECK(
        legacy_request_id(3, 1, 0, "POST /v1/messages", "claude", "2026-05-06T00:00:01Z", detail) ==
        "legacy:acf8a7a8d1170ac0"
    );
}

TEST_CASE("go marshal: sorted keys, nested values", "[usage][export]")
{
    auto v = boost::json::parse(
        R"({"b":[1,-2,3.25,true,null],"a":{"z":"x","y":18446744073709551615},"\u00e9":"","A":1e-7})"
    );
    CHECK(
        go_marshal_sorted(v) == "{\"A\":1e-7,\"a\":{\"y\":18446744073709551615,\"z\":\"x\"},\"b\":[1,-2,3.25,"
                                "true,null],\"\xC3\xA9\":\"\"}"
    );
}
