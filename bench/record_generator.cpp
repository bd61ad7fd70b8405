#include "record_generator.hpp"

#include <array>
#include <ctime>
#include <fmt/format.h>

namespace cpamd::bench
{
namespace
{

struct provider_profile
{
    const char* provider;
    const char* executor;
    std::array<const char*, 3> models;
    const char* endpoint;
};

constexpr std::array<provider_profile, 4> profiles{{
    {"codex", "CodexExecutor", {"gpt-5-codex", "gpt-5", "gpt-5-mini"}, "POST /v1/responses"},
    {"claude",
     "ClaudeExecutor",
     {"claude-sonnet-4-5-20250929", "claude-opus-4-1", "claude-haiku-4-5"},
     "POST /v1/messages"},
    {"gemini",
     "GeminiExecutor",
     {"gemini-2.5-pro", "gemini-2.5-flash", "gemini-3-pro"},
     "POST /v1beta/models/*action"},
    {"openai-compat",
     "OpenAICompatExecutor",
     {"deepseek-chat", "qwen3-coder", "kimi-k2"},
     "POST /v1/chat/completions"},
}};

std::string rfc3339(std::int64_t ms)
{
    std::time_t secs = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    return fmt::format(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}123Z",
        tm.tm_year + 1900,
        tm.tm_mon + 1,
        tm.tm_mday,
        tm.tm_hour,
        tm.tm_min,
        tm.tm_sec,
        ms % 1000
    );
}

} // namespace

std::string record_generator::next(std::int64_t ts_ms)
{
    ++n_;
    auto pick = [&](std::uint64_t n) { return rng_() % n; };
    std::uint64_t key = 0, account = 0;
    const provider_profile* profile = nullptr;
    const char* model = nullptr;
    if (spread_ == spread::independent)
    {
        profile = &profiles[pick(profiles.size())];
        model = profile->models[pick(3)];
        account = pick(40);
    }
    else
    {
        key = pick(api_keys_);
        auto provider = pick(10) < 8 ? key % profiles.size() : pick(profiles.size());
        profile = &profiles[provider];
        auto m = pick(6);
        model = profile->models[m < 3 ? 0 : m < 5 ? 1 : 2];
        account = provider * 10 + pick(10);
    }
    const auto& p = *profile;
    bool failed = pick(100) < 4;
    std::int64_t input = failed ? 0 : static_cast<std::int64_t>(200 + pick(60000));
    std::int64_t read =
        failed ? 0 : static_cast<std::int64_t>(pick(static_cast<std::uint64_t>(input) + 1) * 3 / 4);
    std::int64_t output = failed ? 0 : static_cast<std::int64_t>(10 + pick(4000));
    std::int64_t reasoning =
        failed ? 0 : static_cast<std::int64_t>(pick(static_cast<std::uint64_t>(output) + 1) / 2);
    std::string body, headers;
    if (failed)
    {
        body = fmt::format(
            R"({{\"type\":\"error\",\"error\":{{\"type\":\"rate_limit_error\",\"message\":\"rate limit exceeded for account {} {}\"}}}})",
            account,
            std::string(pick(2000), 'x')
        );
        headers = R"(,"response_headers":{"Retry-After":["12"]})";
    }
    else if (pick(3) == 0)
        headers = fmt::format(
            R"(,"response_headers":{{"Content-Type":["text/event-stream"],"X-Codex-Primary-Used-Percent":["{}"],"Set-Cookie":["session=secret-{}"]}})",
            pick(100),
            n_
        );
    return fmt::format(
        R"({{"timestamp":"{}","latency_ms":{},"ttft_ms":{},"source":"user{}@example.com","auth_index":"{:016x}",)"
        R"("client_ip":"10.0.{}.{}","x_forwarded_for":"","user_agent":"codex_cli_rs/0.{}.0",)"
        R"("tokens":{{"input_tokens":{},"output_tokens":{},"reasoning_tokens":{},"cached_tokens":{},"cache_read_tokens":{},)"
        R"("cache_read_tokens_present":true,"cache_creation_tokens":0,"total_tokens":{}}},"failed":{},"generate":true,)"
        R"("fail":{{"status_code":{},"body":"{}"}}{},"accounting_version":2,"token_breakdown":{{"schema_version":2,)"
        R"("quality":"complete","total_tokens":{},"input":{{"total_tokens":{},"uncached_tokens":{},"cache_read_tokens":{},)"
        R"("cache_write_tokens":0}},"output":{{"total_tokens":{},"non_reasoning_tokens":{},"reasoning_tokens":{}}},)"
        R"("unclassified_tokens":0}},"provider":"{}","executor_type":"{}","model":"{}","alias":"{}","endpoint":"{}",)"
        R"("auth_type":"oauth","api_key":"sk-cpa-client-{:04}","request_id":"{:08x}","reasoning_effort":"medium",)"
        R"("service_tier":"auto"}})",
        rfc3339(ts_ms),
        300 + pick(30000),
        pick(3000),
        account,
        0x3f9c2a7100000000ull + account,
        pick(4),
        pick(250),
        pick(60),
        input,
        output,
        reasoning,
        read,
        read,
        input + output,
        failed ? "true" : "false",
        failed ? 429 : 200,
        body,
        headers,
        input + output,
        input,
        input - read,
        read,
        output,
        output - reasoning,
        reasoning,
        p.provider,
        p.executor,
        model,
        model,
        p.endpoint,
        spread_ == spread::independent ? pick(api_keys_) : key,
        static_cast<std::uint32_t>(rng_())
    );
}

} // namespace cpamd::bench
