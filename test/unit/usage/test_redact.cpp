#include "fixtures.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>
#include <cpamd/usage/export_codec.hpp>
#include <cpamd/usage/redact.hpp>
#include <cpamd/usage/response_headers.hpp>
#include <cpamd/usage/sha256.hpp>

using namespace cpamd::usage;
using cpamd::usage::test::must_parse;

TEST_CASE("redact: email sources keep 3 characters and the domain", "[usage][redact]")
{
    CHECK(mask_source("alice@example.com") == "ali***@example.com");
    CHECK(mask_source("ab@x.io") == "ab***@x.io");
    CHECK(mask_source(" alice@example.com ") == "ali***@example.com");
    CHECK(mask_source("ali***@example.com") == "ali***@example.com");                          // idempotent
    CHECK(mask_source("\xC3\xA9t\xC3\xA9@example.com") == "\xC3\xA9t\xC3\xA9***@example.com"); // code points
}

TEST_CASE("redact: secret-like sources become m:first4...last4", "[usage][redact]")
{
    CHECK(mask_source("sk-ant-api03-EXAMPLEEXAMPLEEXAMPLE") == "m:sk-a...MPLE");
    CHECK(mask_source("AIzaSyA1234567890abcdefghij") == "m:AIza...ghij");
    CHECK(mask_source("0123456789abcdef0123456789abcdef") == "m:0123...cdef"); // >= 32 bytes
    CHECK(mask_source("sk-12345") == "m:****");                                // <= 8 bytes
    CHECK(mask_source("m:sk-a...MPLE") == "m:sk-a...MPLE");                    // idempotent
}

TEST_CASE("redact: other sources are kept", "[usage][redact]")
{
    CHECK(mask_source("my-vertex-project-123") == "my-vertex-project-123");
    CHECK(
        mask_source("a label with spaces that is quite long indeed") ==
        "a label with spaces that is quite long indeed"
    );
    CHECK(
        mask_source("projects/abc/locations/0123456789abcdef0123456789") ==
        "projects/abc/locations/0123456789abcdef0123456789"
    );
    CHECK(mask_source("") == "");
}

TEST_CASE("redact: bearer and basic credentials in text", "[usage][redact]")
{
    CHECK(redact_text("got Bearer abcdefghijklmnop from proxy") == "got Bearer [redacted] from proxy");
    CHECK(redact_text("bearer abcdefghijklmnop") == "bearer [redacted]");
    CHECK(redact_text("Basic dXNlcjpwYXNzd29yZA==") == "Basic [redacted]");
    CHECK(redact_text("Basic plan") == "Basic plan"); // too short to be a credential
}

TEST_CASE("redact: key prefixes in text", "[usage][redact]")
{
    CHECK(redact_text("invalid key sk-proj-abcdefgh1234 used") == "invalid key [redacted] used");
    CHECK(redact_text("key AIzaSyA1234567890abcdef.") == "key [redacted]");
    CHECK(redact_text("tok ya29.a0AfH6SMBxyz123") == "tok [redacted]");
    CHECK(redact_text("jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig") == "jwt [redacted]");
    CHECK(redact_text("task-manager is fine") == "task-manager is fine");
}

TEST_CASE("redact: secret-named fields in JSON, query strings and headers", "[usage][redact]")
{
    CHECK(redact_text(R"({"api_key":"abc123","x":1})") == R"({"api_key":"[redacted]","x":1})");
    CHECK(
        redact_text(R"({"error":{"access_token": "zzz"}})") == R"({"error":{"access_token": "[redacted]"}})"
    );
    CHECK(redact_text("GET /v1?api_key=abc123&x=1") == "GET /v1?api_key=[redacted]&x=1");
    CHECK(redact_text("x-api-key: abc123\nnext") == "x-api-key: [redacted]\nnext");
    CHECK(redact_text("Authorization: Bearer abcdefghijklmnop") == "Authorization: [redacted]");
    CHECK(redact_text("client_secret=s3cr3t; path=/") == "client_secret=[redacted]; path=/");
    CHECK(redact_text(R"(body: "{\"api_key\":\"abc123\"}")") == R"(body: "{\"api_key\":\"[redacted]\"}")");
    // counters are not secrets
    CHECK(redact_text(R"({"input_tokens":12,"max_tokens":5})") == R"({"input_tokens":12,"max_tokens":5})");
}

TEST_CASE("redact: emails and long opaque tokens in text", "[usage][redact]")
{
    CHECK(redact_text("account alice@example.com is disabled") == "account ali***@example.com is disabled");
    CHECK(
        redact_text("opaque 4f3c2b1a0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b4a3f rest") == "opaque [redacted] rest"
    );
    // 32-hex trace ids and plain words survive
    CHECK(redact_text("trace 0123456789abcdef0123456789abcdef") == "trace 0123456789abcdef0123456789abcdef");
    CHECK(redact_text("rate limit exceeded") == "rate limit exceeded");
}

TEST_CASE("redact: fail summary is cut to 4096 bytes on a UTF-8 boundary", "[usage][redact]")
{
    std::string body(4095, 'a');
    body += "\xC3\xA9\xC3\xA9"; // two 2-byte characters across the limit
    std::string s = redact_text(body);
    CHECK(s.size() == 4095);
    std::string big(100000, 'x');
    big.insert(10, " sk-abcdefghijklmnop ");
    s = redact_text(big);
    CHECK(s.size() == fail_summary_max_bytes);
    CHECK(s.find("sk-abc") == std::string::npos);
    CHECK(truncate_utf8("\xC3\xA9", 1).empty());
}

TEST_CASE("redact: response headers keep quota and error data only", "[usage][redact]")
{
    auto headers = boost::json::parse(R"({
        "Set-Cookie":["session=abc; Path=/"],
        "Cookie":["a=b"],
        "Authorization":["Bearer sk-abcdefghijklmnop"],
        "X-Api-Key":["sk-abcdefghijklmnop"],
        "X-Goog-Auth-Token":["abc"],
        "Content-Type":["application/json"],
        "X-Codex-Primary-Used-Percent":["37.5"],
        "X-Codex-Primary-Reset-After-Seconds":["600"],
        "X-Codex-Plan-Type":["plus"],
        "X-Ratelimit-Remaining-Tokens":["1000"],
        "Retry-After":["12"],
        "X-Request-Id":["req_123"]
    })")
                       .as_object();
    header_info h = extract_response_headers(headers, 1000);
    CHECK(
        h.metadata_json ==
        R"({"Retry-After":"12","X-Codex-Plan-Type":"plus","X-Codex-Primary-Reset-After-Seconds":"600",)"
        R"("X-Codex-Primary-Used-Percent":"37.5","X-Ratelimit-Remaining-Tokens":"1000","X-Request-Id":"req_123"})"
    );
    REQUIRE(h.quota_used_percent);
    CHECK(*h.quota_used_percent == 37.5);
    CHECK(h.quota_recover_at_ms == 1000 + 600 * 1000);
    CHECK(h.quota_plan_type == "plus");
    CHECK(h.trace_id == "req_123");

    auto only_retry = boost::json::parse(R"({"Retry-After":["12"]})").as_object();
    CHECK(extract_response_headers(only_retry, 5000).quota_recover_at_ms == 17000);
    auto reset_at = [](std::string_view at)
    {
        auto h = boost::json::parse(R"({"X-Codex-Primary-Reset-At":")" + std::string(at) + "\"}").as_object();
        return extract_response_headers(h, 0).quota_recover_at_ms;
    };
    CHECK(reset_at("1787379002") == 1787379002000);    // seconds
    CHECK(reset_at("1787379002117") == 1787379002117); // milliseconds
    CHECK_FALSE(reset_at("-9223372036854776"));        // seconds that overflow in milliseconds
    auto nothing =
        boost::json::parse(R"({"Set-Cookie":["x"],"Content-Type":"text/plain","X":[1,2]})").as_object();
    CHECK(extract_response_headers(nothing, 0).metadata_json.empty());
}

TEST_CASE("redact: client ip, forwarded-for and user agent are cut", "[usage][redact]")
{
    std::string rec = R"({"timestamp":1778000000,"model":"m","client_ip":")" + std::string(100, '1') +
                      R"(","x_forwarded_for":")" + std::string(3000, '2') + R"(","user_agent":")" +
                      std::string(2000, 'u') + R"("})";
    auto ev = must_parse(rec);
    CHECK(ev.client_ip.size() == client_ip_max_bytes);
    CHECK(ev.x_forwarded_for.size() == x_forwarded_for_max_bytes);
    CHECK(ev.user_agent.size() == user_agent_max_bytes);
}

TEST_CASE("redact: secret JSON keys", "[usage][redact]")
{
    for (auto k :
         {"api_key",
          "apiKey",
          "API-KEY",
          "authorization",
          "Cookie",
          "set-cookie",
          "access_token",
          "refresh_token",
          "id_token",
          "token",
          "client_secret",
          "SecretValue"})
        CHECK(is_secret_json_key(k));
    for (auto k : {"tokens", "input_tokens", "source", "key_id", "model"})
        CHECK_FALSE(is_secret_json_key(k));
    auto v = boost::json::parse(R"({"a":{"api_key":"x","list":[{"token":"y"}],"keep":1}})");
    redact_json_keys(v);
    CHECK(
        boost::json::serialize(v) ==
        R"({"a":{"api_key":"[redacted]","list":[{"token":"[redacted]"}],"keep":1}})"
    );
}

namespace
{

// Every string a parsed event carries, including those the export leaves out.
std::vector<std::string> all_output_strings(const event& ev)
{
    return {
        ev.request_id,
        ev.event_hash,
        ev.timestamp,
        ev.provider,
        ev.executor_type,
        ev.model,
        ev.requested_model,
        ev.resolved_model,
        ev.response_model,
        ev.endpoint,
        ev.method,
        ev.path,
        ev.reasoning_effort,
        ev.service_tier,
        ev.request_service_tier,
        ev.response_service_tier,
        ev.cache_input_mode,
        ev.client_ip,
        ev.x_forwarded_for,
        ev.user_agent,
        ev.auth_type,
        ev.auth_index,
        ev.source,
        ev.source_hash,
        ev.api_key_hash,
        ev.account_snapshot,
        ev.auth_label_snapshot,
        ev.auth_file_snapshot,
        ev.auth_provider_snapshot,
        ev.auth_project_id_snapshot,
        ev.fail_summary,
        ev.response_metadata,
        ev.header_quota_plan_type,
        ev.header_error_kind,
        ev.header_error_code,
        ev.header_trace_id,
        export_line(ev)};
}

} // namespace

TEST_CASE("redact: no plaintext api_key or source survives in any output field", "[usage][redact]")
{
    const std::string client_key = "sk-cpa-client-PLAINTEXT0001";
    const std::string upstream_key = "AIzaSyUPSTREAMPLAINTEXT000000000";
    const std::string short_client_key = "cpa-user-key-42"; // not key-shaped at all
    std::string rec =
        R"({"timestamp":"2026-08-22T06:10:02.117Z","latency_ms":1,"source":")" + upstream_key +
        R"(","api_key":")" + client_key +
        R"(","model":"m","failed":true,"fail":{"status_code":401,"body":"{\"error\":\"invalid key )" +
        upstream_key + R"( for client )" + client_key +
        R"(\",\"api_key\":\"whatever\"}"},"response_headers":{"X-Codex-Primary-Used-Percent":[")" +
        upstream_key + R"("],"Retry-After":[")" + client_key + R"("],"X-Api-Key":[")" + client_key +
        R"("]},"user_agent":"ua )" + client_key + R"("})";
    auto ev = must_parse(rec);
    for (const auto& field : all_output_strings(ev))
    {
        INFO(field);
        CHECK(field.find(client_key) == std::string::npos);
        CHECK(field.find(upstream_key) == std::string::npos);
        CHECK(field.find("PLAINTEXT") == std::string::npos);
    }
    CHECK(ev.api_key_hash == sha256_hex(client_key));
    CHECK(ev.source_hash == sha256_hex(upstream_key));

    // The client key as the source (no upstream credential): masked whatever its shape.
    auto ev2 = must_parse(R"({"timestamp":1778000000,"model":"m","api_key":")" + short_client_key + R"("})");
    CHECK(ev2.source == "m:cpa-...y-42");
    for (const auto& field : all_output_strings(ev2))
        CHECK(field.find(short_client_key) == std::string::npos);
}
