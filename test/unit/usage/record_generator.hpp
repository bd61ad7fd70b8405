#pragma once

// Random CPA usage records of every version (spec cpa-usage-queue §1), each carrying every field
// its version has, with the optional ones present or not. For round-trip properties: the unit
// tests (parse -> export -> parse) and the usage routes integration test (through the store and
// /v0/management/usage). Header-only, no cpamd code: fmt and <random> only.

#include <cstdint>
#include <cstdlib>
#include <ctime>
#include <fmt/format.h>
#include <random>
#include <string>

namespace cpamd::test
{

class record_generator
{
public:
    explicit record_generator(unsigned seed) : rng_(seed) {}

    // One JSON object (no newline). `i` keeps timestamps distinct across a run.
    std::string next(int i)
    {
        // The CPA version the record comes from decides which keys it has (the "since" column).
        const int version = pick(12);
        std::string r = "{";
        auto key = [&](std::string_view k, const std::string& json_value)
        {
            if (r.size() > 1)
                r += ',';
            r += fmt::format("\"{}\":{}", k, json_value);
        };
        key("timestamp", timestamp(i));
        key("latency_ms", std::to_string(pick(5) == 0 ? 0 : pick(600000)));
        if (version >= 5)
            key("ttft_ms", std::to_string(pick(3) == 0 ? 0 : 1 + pick(20000)));
        std::string client_key = fmt::format("sk-client-{:04}", pick(50));
        std::string source = pick_source(client_key);
        key("source", quote(source));
        key("auth_index", pick(8) == 0 ? quote("") : quote(fmt::format("{:016x}", rng_())));
        if (version >= 10)
        {
            key("access_token_sha256",
                quote(fmt::format("{:016x}{:016x}{:016x}{:016x}", rng_(), rng_(), rng_(), rng_())));
            key("client_ip", quote(fmt::format("10.{}.{}.{}", pick(256), pick(256), pick(256))));
            key("x_forwarded_for",
                pick(2) ? quote("") : quote(fmt::format("203.0.113.{}, 10.0.0.{}", pick(256), pick(256))));
            const char* agents[] = {
                "codex_cli_rs/0.42.0",
                "claude-cli/2.0.14 (external, cli)",
                "curl/8.5 <test> & \\\"q\\\"",
                "ua/\u00e9\u00e8"};
            key("user_agent", quote(agents[pick(4)]));
        }
        const bool failed = pick(6) == 0;
        tokens(r, key, failed, version);
        key("failed", failed ? "true" : "false");
        if (version >= 9)
            key("generate", "true");
        if (version >= 2)
            key("fail",
                fmt::format(
                    R"({{"status_code":{},"body":{}}})",
                    failed ? 400 + pick(104) : 200,
                    failed ? quote("upstream said: rate limit for alice@example.com, api_key=sk-abcdefghijkl")
                           : quote("")
                ));
        if (version >= 3 && pick(3) != 0)
            key("response_headers", headers());
        const char* providers[] = {"codex", "claude", "gemini", "vertex", "openai-compat", "unknown"};
        const char* executors[] = {
            "CodexExecutor",
            "ClaudeExecutor",
            "GeminiExecutor",
            "VertexExecutor",
            "OpenAICompatExecutor",
            "unknown"};
        int p = pick(6);
        key("provider", quote(providers[p]));
        if (version >= 7)
            key("executor_type", quote(executors[p == 5 ? pick(6) : p]));
        const char* models[] = {"gpt-5-codex", "claude-sonnet-4-5-20250929", "gemini-2.5-pro", "gpt-5"};
        std::string model = models[pick(4)];
        key("model", quote(model));
        if (version >= 1)
        {
            const char* suffix[] = {"", "(high)", "(8192)", "(turbo)"};
            key("alias", quote(model + suffix[pick(4)]));
        }
        const char* endpoints[] = {
            "POST /v1/responses", "POST /v1/messages", "POST /v1beta/models/*action", ""};
        key("endpoint", quote(endpoints[pick(4)]));
        const char* auth_types[] = {"apikey", "oauth", "unknown"};
        key("auth_type", quote(auth_types[pick(3)]));
        key("api_key", quote(pick(6) == 0 ? std::string() : client_key));
        key("request_id",
            pick(5) == 0 ? quote("") : quote(fmt::format("{:08x}", static_cast<std::uint32_t>(rng_()))));
        if (version >= 4)
        {
            const char* efforts[] = {"", "low", "medium", "high", "xhigh"};
            key("reasoning_effort", quote(efforts[pick(5)]));
        }
        if (version >= 6)
        {
            const char* tiers[] = {"auto", "default", "priority", "flex"};
            key("service_tier", quote(tiers[pick(4)]));
            if (version >= 8 && pick(2))
                key("response_service_tier", quote(tiers[pick(4)]));
            if (version == 8 && pick(2)) // only v7.2.65-v7.2.73
                key("request_service_tier", quote(tiers[pick(4)]));
        }
        if (version >= 11) // CPA v7.3: response_model is omitempty, stream always sent
        {
            switch (pick(4))
            {
            case 0:
                break; // the upstream named no model
            case 1:
                key("response_model", quote(model + "-2025-08-07")); // a dated variant
                break;
            default:
                key("response_model", quote(model));
            }
            key("stream", pick(3) ? "true" : "false");
        }
        // Credential snapshots and header fields an enriching collector or an older tool may add.
        if (pick(2))
        {
            key("account_snapshot", quote(fmt::format("acct-{}", pick(9))));
            key("auth_label_snapshot", quote(fmt::format("label {}", pick(9))));
            key("auth_file_snapshot", quote(fmt::format("codex-{}.json", pick(9))));
            key("auth_provider_snapshot", quote(providers[pick(5)]));
            key("auth_project_id_snapshot", quote(fmt::format("proj-{}", pick(9))));
            key("auth_snapshot_at_ms", std::to_string(1778025600000 + pick(1000000)));
        }
        if (pick(3) == 0)
        {
            key("header_error_kind", quote("rate_limited"));
            key("header_error_code", quote(fmt::format("E{}", pick(100))));
        }
        r += '}';
        return r;
    }

private:
    int pick(int n) { return static_cast<int>(rng_() % static_cast<unsigned>(n)); }

    static std::string quote(std::string_view s) { return fmt::format("\"{}\"", s); }

    // RFC3339Nano in a random zone, or a number of seconds or milliseconds.
    std::string timestamp(int i)
    {
        std::int64_t secs = 1778025600 + static_cast<std::int64_t>(i) * 7 + pick(7);
        switch (pick(4))
        {
        case 0:
            return std::to_string(secs);
        case 1:
            return std::to_string(secs * 1000 + pick(1000));
        default:
        {
            int offset_min = (pick(27) - 12) * 60 + (pick(4) == 0 ? 30 : 0);
            std::time_t local = static_cast<std::time_t>(secs + offset_min * 60);
            std::tm tm{};
            gmtime_r(&local, &tm);
            char date[32];
            std::strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
            std::string frac;
            int digits = pick(10);
            for (int d = 0; d < digits; ++d)
                frac += static_cast<char>('0' + pick(10));
            std::string zone = offset_min == 0 && pick(2) ? "Z"
                                                          : fmt::format(
                                                                "{}{:02}:{:02}",
                                                                offset_min < 0 ? '-' : '+',
                                                                std::abs(offset_min) / 60,
                                                                std::abs(offset_min) % 60
                                                            );
            return quote(std::string(date) + (frac.empty() ? "" : "." + frac) + zone);
        }
        }
    }

    std::string pick_source(const std::string& client_key)
    {
        switch (pick(5))
        {
        case 0:
            return fmt::format("user{}@example.com", pick(20));
        case 1:
            return fmt::format("sk-ant-api03-EXAMPLE{:08}", pick(100000000));
        case 2:
            return fmt::format("proj-{}", pick(10));
        case 3:
            return client_key; // no upstream credential: the client key is the source
        default:
            return "";
        }
    }

    template <class Key>
    void tokens(std::string& r, Key& key, bool failed, int version)
    {
        (void)r;
        int input = failed ? 0 : pick(200000);
        int output = failed ? 0 : pick(30000);
        int reasoning = pick(output + 1);
        int cache_read = pick(input + 1);
        int cache_creation = pick(3) == 0 ? pick(5000) : 0;
        std::string t = fmt::format(
            R"({{"input_tokens":{},"output_tokens":{},"reasoning_tokens":{},"cached_tokens":{})",
            input,
            output,
            reasoning,
            cache_read
        );
        if (pick(4) == 0)
            t += fmt::format(R"(,"cache_tokens":{})", pick(1000));
        if (version >= 2)
            t += fmt::format(
                R"(,"cache_read_tokens":{},"cache_read_tokens_present":true,"cache_creation_tokens":{})",
                cache_read,
                cache_creation
            );
        if (pick(5) != 0)
            t += fmt::format(R"(,"total_tokens":{})", input + output + pick(10));
        t += '}';
        key("tokens", t);
        if (version >= 9 && pick(3) != 0)
        {
            key("accounting_version", "2");
            // Sometimes deliberately inconsistent with the flat counters (quality "inconsistent").
            int uncached = pick(3) == 0 ? pick(1000) : input - cache_read;
            key("token_breakdown",
                fmt::format(
                    R"({{"schema_version":2,"quality":"{}","total_tokens":{},"input":{{"total_tokens":{},)"
                    R"("uncached_tokens":{},"cache_read_tokens":{},"cache_write_tokens":{}}},"output":{{)"
                    R"("total_tokens":{},"non_reasoning_tokens":{},"reasoning_tokens":{}}},"unclassified_tokens":0}})",
                    uncached == input - cache_read ? "complete" : "inconsistent",
                    input + output,
                    input,
                    uncached,
                    cache_read,
                    cache_creation,
                    output,
                    output - reasoning,
                    reasoning
                ));
        }
    }

    std::string headers()
    {
        std::string h = "{\"Content-Type\":[\"text/event-stream\"]";
        if (pick(2))
            h += fmt::format(R"(,"X-Codex-Primary-Used-Percent":["{}.{}"])", pick(100), pick(10));
        if (pick(2))
            h += fmt::format(R"(,"Retry-After":["{}"])", pick(120));
        if (pick(2))
            h += R"(,"X-Codex-Plan-Type":["plus"])";
        if (pick(2))
            h += fmt::format(R"(,"X-Request-Id":["req_{:08x}"])", static_cast<std::uint32_t>(rng_()));
        if (pick(3) == 0)
            h += R"(,"Set-Cookie":["session=secret"])";
        return h + "}";
    }

    std::mt19937_64 rng_;
};

} // namespace cpamd::test
