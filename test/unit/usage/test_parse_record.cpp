#include "fixtures.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>
#include <cpamd/usage/parse_record.hpp>
#include <cpamd/usage/sha256.hpp>

using namespace cpamd::usage;
using namespace cpamd::usage::test;

TEST_CASE("parse: current Codex success record", "[usage][parse]")
{
    auto ev = must_parse(codex_success);
    CHECK(ev.timestamp == "2026-08-22T06:03:11.482913027Z");
    CHECK(ev.timestamp_ms == 1787378591482);
    CHECK(ev.request_id == "a1b2c3d4");
    CHECK(ev.provider == "codex");
    CHECK(ev.executor_type == "CodexExecutor");
    CHECK(ev.model == "gpt-5-codex");
    CHECK(ev.requested_model == "gpt-5-codex");
    CHECK(ev.resolved_model == "gpt-5-codex");
    CHECK(ev.endpoint == "POST /v1/responses");
    CHECK(ev.method == "POST");
    CHECK(ev.path == "/v1/responses");
    CHECK(ev.auth_type == "oauth");
    CHECK(ev.auth_index == "3f9c2a71d04b8e56");
    CHECK(ev.source == "ali***@example.com");
    CHECK(ev.source_hash == sha256_hex("alice@example.com"));
    CHECK(ev.api_key_hash == sha256_hex("sk-cpa-client-0001"));
    CHECK(ev.client_ip == "10.0.0.12");
    CHECK(ev.x_forwarded_for.empty());
    CHECK(ev.user_agent == "codex_cli_rs/0.42.0");
    CHECK(ev.reasoning_effort == "medium");
    CHECK(ev.service_tier == "auto"); // codex: the requested tier first
    CHECK(ev.request_service_tier == "auto");
    CHECK(ev.response_service_tier == "default");
    CHECK(ev.tokens == token_counts{12000, 900, 300, 8000, 0, 8000, 0, 12900});
    CHECK(ev.semantics == token_semantics::breakdown_v2);
    CHECK(ev.cost == cost_tokens{4000, 8000, 0, 900, 300});
    CHECK(ev.latency_ms == 8423);
    CHECK(ev.ttft_ms == 1204);
    CHECK_FALSE(ev.failed);
    CHECK_FALSE(ev.fail_status_code); // {"status_code":200} on success is not a failure code
    CHECK(ev.fail_summary.empty());
    CHECK(ev.response_metadata == R"({"X-Codex-Primary-Used-Percent":"37"})");
    CHECK(ev.header_quota_used_percent == 37.0);
    CHECK(ev.created_at_ms == 1778025600000);
    CHECK(ev.event_hash.size() == 64);
}

TEST_CASE("parse: current Claude failure record", "[usage][parse]")
{
    auto ev = must_parse(claude_failure);
    CHECK(ev.failed);
    CHECK(ev.fail_status_code == 429);
    CHECK(
        ev.fail_summary ==
        R"({"type":"error","error":{"type":"rate_limit_error","message":"rate limit exceeded"}})"
    );
    CHECK(ev.source == "m:sk-a...MPLE");
    CHECK(ev.model == "claude-sonnet-4-5");
    CHECK(ev.requested_model == "claude-sonnet-4-5");
    CHECK(ev.resolved_model == "claude-sonnet-4-5-20250929");
    CHECK(ev.service_tier == "default");
    CHECK_FALSE(ev.ttft_ms); // 0 = unknown
    CHECK(ev.latency_ms == 812);
    CHECK(ev.response_metadata == R"({"Retry-After":"12"})");
    CHECK(ev.header_quota_recover_at_ms == 1787379002117 + 812 + 12000);
    CHECK(ev.user_agent == "claude-cli/2.0.14 (external, cli)");
}

TEST_CASE("parse: v6.9 record without newer fields gets defaults", "[usage][parse]")
{
    auto ev = must_parse(R"({"timestamp":"2025-11-02T10:00:00+01:00","latency_ms":100,"source":"proj-1",
        "auth_index":"0011223344556677","tokens":{"input_tokens":10,"output_tokens":5,"reasoning_tokens":0,
        "cached_tokens":4,"total_tokens":15},"failed":false,"provider":"gemini","model":"gemini-2.5-pro",
        "endpoint":"POST /v1beta/models/*action","auth_type":"oauth","api_key":"","request_id":"abcd0123"})");
    CHECK(ev.timestamp == "2025-11-02T09:00:00Z");
    CHECK(ev.source == "proj-1");
    CHECK(ev.api_key_hash.empty());
    CHECK_FALSE(ev.ttft_ms);
    CHECK(ev.tokens.cache_read == 0);
    CHECK(ev.semantics == token_semantics::gemini);
    CHECK(ev.cost == cost_tokens{6, 4, 0, 5, 0});
    CHECK(ev.path == "/v1beta/models/*action");
    CHECK(ev.response_metadata.empty());
    CHECK(ev.service_tier.empty());
}

TEST_CASE("parse: HTTP queue items wrapped in a JSON string", "[usage][parse]")
{
    auto direct = must_parse(claude_failure);
    std::string wrapped = boost::json::serialize(boost::json::value(claude_failure));
    auto ev = must_parse(wrapped);
    CHECK(ev == direct);
    // from an already parsed queue array
    auto arr = boost::json::parse("[" + wrapped + "," + std::string(claude_failure) + "]").as_array();
    auto a = parse_record(arr[0], fixed_clock());
    auto b = parse_record(arr[1], fixed_clock());
    REQUIRE(a);
    REQUIRE(b);
    CHECK(*a == direct);
    CHECK(*b == direct);
    auto nested = parse_record(R"("\"x\"")");
    REQUIRE_FALSE(nested);
    CHECK(nested.error() == errc::nested_string);
}

TEST_CASE("parse: control payloads", "[usage][parse]")
{
    CHECK(control_payload_kind(R"({"refresh":true})") == control_kind::refresh);
    CHECK(control_payload_kind(R"( {"support_refresh" : true} )") == control_kind::support_refresh);
    CHECK(is_control_payload("{\"refresh\":true}\r\n"));
    CHECK_FALSE(is_control_payload(R"({"refresh":false})"));
    CHECK_FALSE(is_control_payload(R"({"refresh":true,"x":1})"));
    CHECK_FALSE(is_control_payload(R"({"refresh":"true"})"));
    CHECK_FALSE(is_control_payload(R"({"other":true})"));
    CHECK_FALSE(is_control_payload(R"([{"refresh":true}])"));
    CHECK_FALSE(is_control_payload(claude_failure));
    auto r = parse_record(R"({"support_refresh":true})");
    REQUIRE_FALSE(r);
    CHECK(r.error() == errc::control_payload);
    CHECK(describe(r.error()) == "usage: control payload, not a usage record");
}

TEST_CASE("parse: method, path and endpoint", "[usage][parse]")
{
    auto a = must_parse(R"({"timestamp":1778000000,"method":"get","path":"/v1/models"})");
    CHECK(a.endpoint == "GET /v1/models");
    CHECK(a.method == "GET");
    auto b =
        must_parse(R"({"timestamp":1778000000,"http_method":"POST","url_path":"/x","endpoint":"custom op"})");
    CHECK(b.endpoint == "custom op");
    CHECK(b.method == "POST");
    CHECK(b.path == "/x");
    auto c = must_parse(R"({"timestamp":1778000000,"endpoint":"PATCH   /v0/thing extra"})");
    CHECK(c.method == "PATCH");
    CHECK(c.path == "/v0/thing");
    auto d = must_parse(R"({"timestamp":1778000000,"endpoint":""})");
    CHECK(d.endpoint == "-");
    CHECK(d.method.empty());
    auto e = must_parse(R"({"timestamp":1778000000,"route":"/only/path"})");
    CHECK(e.endpoint == "/only/path");
    auto f = must_parse(R"({"timestamp":1778000000,"api":"GETX /nope"})");
    CHECK(f.method.empty());
}

TEST_CASE("parse: failed rules", "[usage][parse]")
{
    CHECK(must_parse(R"({"timestamp":1,"is_failed":true})").failed);
    CHECK(must_parse(R"({"timestamp":1,"failed":false,"success":false})").failed == false);
    CHECK(must_parse(R"({"timestamp":1,"success":false})").failed);
    CHECK(must_parse(R"({"timestamp":1,"ok":true,"status_code":500})").failed == false);
    auto s = must_parse(R"({"timestamp":1,"status":503})");
    CHECK(s.failed);
    CHECK(s.fail_status_code == 503);
    CHECK_FALSE(must_parse(R"({"timestamp":1,"status":200})").failed);
    auto e = must_parse(R"({"timestamp":1,"error":{"message":"boom"}})");
    CHECK(e.failed);
    CHECK_FALSE(e.fail_status_code);
    CHECK(must_parse(R"({"timestamp":1,"error_message":"boom"})").failed);
    CHECK_FALSE(must_parse(R"({"timestamp":1,"error":""})").failed);
    CHECK_FALSE(must_parse(R"({"timestamp":1,"error":null})").failed);
    auto f = must_parse(R"({"timestamp":1,"failed":true,"fail_body":"upstream said Bearer abcdefghijk"})");
    CHECK(f.fail_summary == "upstream said Bearer [redacted]");
}

TEST_CASE("parse: requested, resolved and model", "[usage][parse]")
{
    auto a = must_parse(R"J({"timestamp":1,"alias":"gpt-5(high)","model":"gpt-5"})J");
    CHECK(a.model == "gpt-5(high)");
    CHECK(a.requested_model == "gpt-5(high)");
    CHECK(a.resolved_model == "gpt-5");
    auto b = must_parse(R"({"timestamp":1,"requested_model":"r","resolved_model":"x","model":"ignored"})");
    CHECK(b.model == "r");
    CHECK(b.resolved_model == "x");
    auto c = must_parse(R"({"timestamp":1,"model_name":"mn"})");
    CHECK(c.model == "mn");
    CHECK(c.requested_model.empty());
    CHECK(must_parse(R"({"timestamp":1})").model == "-");
}

TEST_CASE("parse: source fallbacks and hashes", "[usage][parse]")
{
    auto a = must_parse(R"({"timestamp":1,"account":"bob@corp.example"})");
    CHECK(a.source == "bob***@corp.example");
    CHECK(a.source_hash == sha256_hex("bob@corp.example"));
    CHECK(a.api_key_hash.empty());
    auto b = must_parse(R"({"timestamp":1,"apiKey":"  k-123  "})");
    CHECK(b.api_key_hash == sha256_hex("k-123")); // trimmed
    CHECK(b.source_hash == sha256_hex("k-123"));
    CHECK(b.source == "m:****");
    auto c = must_parse(R"({"timestamp":1,"source":""})");
    CHECK(c.source.empty());
    CHECK(c.source_hash.empty());
}

TEST_CASE("parse: unknown fields are ignored and odd types tolerated", "[usage][parse]")
{
    auto ev =
        must_parse(R"({"timestamp":"2026-05-06T00:00:01Z","future_field":{"x":[1,2,3]},"latency_ms":"250",
        "ttft_ms":12.7,"tokens":{"input_tokens":"12","output_tokens":null,"reasoning_tokens":true},
        "provider":7,"model":"m","failed":"true"})");
    CHECK(ev.latency_ms == 250);
    CHECK(ev.ttft_ms == 12);
    CHECK(ev.tokens.input == 12);
    CHECK(ev.tokens.output == 0);
    CHECK(ev.tokens.reasoning == 0);
    CHECK(ev.provider.empty());
    CHECK(ev.failed);
}

TEST_CASE("parse: service tier effective rule", "[usage][parse]")
{
    auto a = must_parse(
        R"({"timestamp":1,"provider":"claude","service_tier":"default","response_service_tier":"priority"})"
    );
    CHECK(a.service_tier == "priority"); // others: the response first
    auto b = must_parse(
        R"({"timestamp":1,"provider":"codex","service_tier":"flex","response_service_tier":"default"})"
    );
    CHECK(b.service_tier == "flex");
    auto c = must_parse(R"({"timestamp":1,"provider":"codex","response_service_tier":"default"})");
    CHECK(c.service_tier == "default");
    auto d = must_parse(R"({"timestamp":1,"provider":"xai","request_service_tier":"scale"})");
    CHECK(d.service_tier == "scale");
    CHECK(d.request_service_tier == "scale");
}

TEST_CASE("parse: response_model and stream (CPA v7.3)", "[usage][parse]")
{
    // Present: kept, trimmed; model, requested and resolved are unchanged by them.
    auto a = must_parse(
        R"J({"timestamp":1,"alias":"gpt-5(high)","model":"gpt-5","response_model":" gpt-5-2025-08-07 ","stream":true})J"
    );
    CHECK(a.response_model == "gpt-5-2025-08-07");
    CHECK(a.stream == true);
    CHECK(a.model == "gpt-5(high)");
    CHECK(a.requested_model == "gpt-5(high)");
    CHECK(a.resolved_model == "gpt-5");
    auto f = must_parse(R"({"timestamp":1,"model":"m","stream":false})");
    CHECK(f.stream == false); // false is a value, not "absent"
    CHECK(f.response_model.empty());

    // Absent (older CPA): empty and unset.
    auto b = must_parse(R"({"timestamp":1,"model":"gpt-5"})");
    CHECK(b.response_model.empty());
    CHECK_FALSE(b.stream);
    CHECK(must_parse(R"({"timestamp":1,"stream":true})").stream == true);

    // camelCase; snake_case wins when both are there.
    CHECK(must_parse(R"({"timestamp":1,"responseModel":"rm"})").response_model == "rm");
    CHECK(
        must_parse(R"({"timestamp":1,"responseModel":"camel","response_model":"snake"})").response_model ==
        "snake"
    );
    CHECK(
        must_parse(R"({"timestamp":1,"response_model":"","responseModel":"camel"})").response_model == "camel"
    );

    // Wrong types: left unset, the record is still accepted.
    for (auto rec :
         {R"({"timestamp":1,"model":"m","response_model":7,"stream":"true"})",
          R"({"timestamp":1,"model":"m","response_model":{"x":1},"stream":1})",
          R"({"timestamp":1,"model":"m","response_model":null,"stream":null})",
          R"({"timestamp":1,"model":"m","response_model":"   ","stream":[true]})"})
    {
        INFO(rec);
        auto w = must_parse(rec);
        CHECK(w.response_model.empty());
        CHECK_FALSE(w.stream);
        CHECK(w.model == "m");
    }
    // No alias for `stream`.
    CHECK_FALSE(must_parse(R"({"timestamp":1,"streamed":true})").stream);

    // Cut like the other model strings.
    auto c = must_parse(R"({"timestamp":1,"response_model":")" + std::string(5000, 'x') + R"("})");
    CHECK(c.response_model == std::string(1024, 'x'));
}

TEST_CASE("parse: response_model and stream leave the dedup hash alone", "[usage][parse]")
{
    // Old exports and records of older CPA versions must dedup against newer records of the
    // same attempt: the §6.3 hash input does not contain the new fields.
    std::string base = R"({"timestamp":"2026-05-06T00:00:01Z","request_id":"a1b2c3d4","alias":"gpt-5",)"
                       R"("model":"gpt-5","endpoint":"POST /v1/responses","auth_index":"ab","latency_ms":5,)"
                       R"("tokens":{"input_tokens":10,"output_tokens":2},"failed":false)";
    auto old_shape = must_parse(base + "}");
    auto new_shape = must_parse(base + R"(,"response_model":"gpt-5-2025-08-07","stream":true})");
    auto other = must_parse(base + R"(,"response_model":"gpt-5","stream":false})");
    CHECK(new_shape.event_hash == old_shape.event_hash);
    CHECK(other.event_hash == old_shape.event_hash);
}
