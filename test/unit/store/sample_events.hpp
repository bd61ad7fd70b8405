#pragma once

// Realistic events for store tests, built through the real parser from CPA-shaped records.

#include <cpamd/usage/parse_record.hpp>
#include <fmt/format.h>
#include <stdexcept>
#include <string>

namespace cpamd::test
{

// Event number `i`: varies model, provider, account, key, latency and outcome; `hour` picks the
// hour of 2026-08-22 it falls in.
inline usage::event sample_event(int i, int hour = 6)
{
    static const char* providers[] = {"codex", "claude", "gemini"};
    static const char* models[] = {"gpt-5-codex", "claude-sonnet-4-5", "gemini-2.5-pro"};
    auto json = fmt::format(
        R"({{"timestamp":"2026-08-22T{:02}:{:02}:{:02}.{:09}Z","latency_ms":{},"ttft_ms":{},"source":"user{}@example.com",)"
        R"("auth_index":"{:016x}","tokens":{{"input_tokens":{},"output_tokens":{},"reasoning_tokens":{},"cached_tokens":{},)"
        R"("cache_read_tokens":{},"cache_creation_tokens":0,"total_tokens":{}}},"failed":{},)"
        R"("fail":{{"status_code":{},"body":""}},"provider":"{}","executor_type":"X","model":"{}","alias":"{}",)"
        R"("endpoint":"POST /v1/responses","auth_type":"oauth","api_key":"sk-client-{}","request_id":"{:08x}"}})",
        hour,
        (i / 60) % 60,
        i % 60,
        (i * 7919) % 1000000000,
        100 + (i * 37) % 5000,
        (i * 13) % 700,
        i % 5,
        0x1000 + i % 7,
        1000 + i % 900,
        200 + i % 300,
        i % 50,
        i % 400,
        i % 400,
        1000 + i % 900 + 200 + i % 300,
        i % 11 == 0 ? "true" : "false",
        i % 11 == 0 ? 429 : 200,
        providers[i % 3],
        models[i % 3],
        models[i % 3],
        i % 4,
        static_cast<unsigned>(i)
    );
    auto r = usage::parse_record(std::string_view(json));
    if (!r)
        throw std::runtime_error("sample_event does not parse: " + r.error().message());
    return *r;
}

} // namespace cpamd::test
