#pragma once

// Records from spec cpa-usage-queue §1.1 / §1.2 and a fixed clock.

#include <catch2/catch.hpp>
#include <cpamd/usage/parse_record.hpp>
#include <stdexcept>
#include <string>
#include <string_view>

namespace cpamd::usage::test
{

inline constexpr std::string_view codex_success =
    R"({"timestamp":"2026-08-22T14:03:11.482913027+08:00","latency_ms":8423,"ttft_ms":1204,
 "source":"alice@example.com","auth_index":"3f9c2a71d04b8e56",
 "access_token_sha256":"5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8",
 "client_ip":"10.0.0.12","x_forwarded_for":"","user_agent":"codex_cli_rs/0.42.0",
 "tokens":{"input_tokens":12000,"output_tokens":900,"reasoning_tokens":300,"cached_tokens":8000,
   "cache_read_tokens":8000,"cache_read_tokens_present":true,"cache_creation_tokens":0,"total_tokens":12900},
 "failed":false,"generate":true,"fail":{"status_code":200,"body":""},
 "response_headers":{"Content-Type":["text/event-stream"],"X-Codex-Primary-Used-Percent":["37"]},
 "accounting_version":2,"token_breakdown":{"schema_version":2,"quality":"complete","total_tokens":12900,
   "input":{"total_tokens":12000,"uncached_tokens":4000,"cache_read_tokens":8000,"cache_write_tokens":0},
   "output":{"total_tokens":900,"non_reasoning_tokens":600,"reasoning_tokens":300},"unclassified_tokens":0},
 "provider":"codex","executor_type":"CodexExecutor","model":"gpt-5-codex","alias":"gpt-5-codex",
 "endpoint":"POST /v1/responses","auth_type":"oauth","api_key":"sk-cpa-client-0001",
 "request_id":"a1b2c3d4","reasoning_effort":"medium","service_tier":"auto","response_service_tier":"default"})";

inline constexpr std::string_view claude_failure =
    R"J({"timestamp":"2026-08-22T06:10:02.117Z","latency_ms":812,"ttft_ms":0,
 "source":"sk-ant-api03-EXAMPLEEXAMPLEEXAMPLE","auth_index":"c01dbeef2a3b4c5d",
 "client_ip":"203.0.113.7","x_forwarded_for":"203.0.113.7","user_agent":"claude-cli/2.0.14 (external, cli)",
 "tokens":{"input_tokens":0,"output_tokens":0,"reasoning_tokens":0,"cached_tokens":0,"cache_read_tokens":0,
   "cache_read_tokens_present":true,"cache_creation_tokens":0,"total_tokens":0},
 "failed":true,"generate":true,
 "fail":{"status_code":429,"body":"{\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\",\"message\":\"rate limit exceeded\"}}"},
 "response_headers":{"Retry-After":["12"]},
 "accounting_version":2,"token_breakdown":{"schema_version":2,"quality":"complete","total_tokens":0,
   "input":{"total_tokens":0,"uncached_tokens":0,"cache_read_tokens":0,"cache_write_tokens":0},
   "output":{"total_tokens":0,"non_reasoning_tokens":0,"reasoning_tokens":0},"unclassified_tokens":0},
 "provider":"claude","executor_type":"ClaudeExecutor","model":"claude-sonnet-4-5-20250929","alias":"claude-sonnet-4-5",
 "endpoint":"POST /v1/messages","auth_type":"apikey","api_key":"cpa-user-key-42","request_id":"9e0f1a2b",
 "reasoning_effort":"","service_tier":"default"})J";

// 2026-05-06T00:00:00Z
inline parse_options fixed_clock()
{
    parse_options o;
    o.now = utc_time{1778025600, 0};
    return o;
}

inline event must_parse(std::string_view payload, const parse_options& opts = fixed_clock())
{
    auto r = parse_record(payload, opts);
    if (!r)
        throw std::runtime_error(describe(r.error()));
    return *r;
}

} // namespace cpamd::usage::test

// Catch would otherwise pick boost's operator<< for result<T>, which needs one for T.
template <class T>
struct Catch::StringMaker<boost::system::result<T>>
{
    static std::string convert(const boost::system::result<T>& r)
    {
        return r ? std::string("value") : cpamd::usage::describe(r.error());
    }
};
