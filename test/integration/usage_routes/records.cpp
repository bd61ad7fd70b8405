#include "records.hpp"

#include <algorithm>
#include <boost/json/parse.hpp>
#include <cctype>
#include <fmt/format.h>
#include <random>
#include <sstream>
#include <vector>

namespace cpamd::test
{
namespace
{

namespace json = boost::json;

// AnalyticsModel as manager-api §5.6 states it, written here independently.
std::string model_key(std::string m)
{
    if (m.empty())
        return "-";
    if (m.back() != ')')
        return m;
    auto open = m.rfind('(');
    if (open == std::string::npos)
        return m;
    std::string inner = m.substr(open + 1, m.size() - open - 2);
    std::string lower;
    for (char c : inner)
        lower.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    static const char* levels[] = {"none", "auto", "-1", "minimal", "low", "medium", "high", "xhigh", "max"};
    bool ok = std::find(std::begin(levels), std::end(levels), lower) != std::end(levels);
    if (!ok && !inner.empty())
        ok = std::all_of(inner.begin(), inner.end(), [](char c) { return c >= '0' && c <= '9'; });
    std::string base = m.substr(0, open);
    while (!base.empty() && base.back() == ' ')
        base.pop_back();
    return ok && !base.empty() ? base : m;
}

} // namespace

std::string make_records(int count, unsigned seed)
{
    std::mt19937 rng(seed);
    auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
    std::string out;
    const std::int64_t base_ms = 1778025600000; // 2026-05-06T00:00:00Z
    for (int i = 0; i < count; ++i)
    {
        int kind = pick(3);
        bool failed = pick(7) == 0;
        std::int64_t ts_ms = base_ms + static_cast<std::int64_t>(i) * 1000 + pick(1000);
        auto ts = fmt::format("{}.{:03}{:06}Z", "", ts_ms % 1000, pick(1000000));
        std::int64_t secs = ts_ms / 1000;
        std::time_t tt = static_cast<std::time_t>(secs);
        std::tm tm{};
        gmtime_r(&tt, &tm);
        char date[32];
        std::strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
        std::string timestamp = std::string(date) + ts.substr(0); // "...SS.mmmuuuuuuZ"
        int input = failed ? 0 : 100 + pick(20000);
        int output = failed ? 0 : 10 + pick(3000);
        int reasoning = kind == 0 && !failed ? pick(output) : 0;
        int cache_read = failed ? 0 : pick(input / 2 + 1);
        int cache_creation = kind == 1 && !failed ? pick(500) : 0;
        int total = kind == 1 ? input + cache_read + cache_creation + output
                              : input + output + (kind == 2 ? reasoning : 0);
        bool breakdown = pick(2) == 0;
        std::string rec;
        if (kind == 0)
        {
            const char* models[] = {"gpt-5-codex", "gpt-5", "gpt-5.1-codex-max"};
            const char* efforts[] = {"low", "medium", "high"};
            std::string model = models[pick(3)];
            std::string effort = efforts[pick(3)];
            rec = fmt::format(
                R"({{"timestamp":"{}","latency_ms":{},"ttft_ms":{},"source":"user{}@example.com","auth_index":"{:016x}",)"
                R"("client_ip":"10.0.0.{}","user_agent":"codex_cli_rs/0.42.0",)"
                R"("tokens":{{"input_tokens":{},"output_tokens":{},"reasoning_tokens":{},"cached_tokens":{},"cache_read_tokens":{},"cache_creation_tokens":0,"total_tokens":{}}},)"
                R"("failed":{},"fail":{{"status_code":{},"body":"{}"}},)",
                timestamp,
                200 + pick(9000),
                pick(2000),
                pick(5),
                0x3f9c2a71d04b8e56ULL + static_cast<unsigned>(pick(4)),
                pick(250),
                input,
                output,
                reasoning,
                cache_read,
                cache_read,
                total,
                failed ? "true" : "false",
                failed ? 500 : 200,
                failed ? "upstream error" : ""
            );
            if (breakdown)
                rec += fmt::format(
                    R"("token_breakdown":{{"schema_version":2,"input":{{"total_tokens":{},"uncached_tokens":{},"cache_read_tokens":{},"cache_write_tokens":0}},"output":{{"total_tokens":{},"reasoning_tokens":{}}}}},)",
                    input,
                    input - cache_read,
                    cache_read,
                    output,
                    reasoning
                );
            rec += fmt::format(
                R"J("provider":"codex","executor_type":"CodexExecutor","model":"{}","alias":"{}({})","endpoint":"POST /v1/responses","auth_type":"oauth","api_key":"sk-cpa-client-000{}","request_id":"{:08x}","reasoning_effort":"{}"}})J",
                model,
                model,
                effort,
                pick(3),
                static_cast<unsigned>(rng()),
                effort
            );
        }
        else if (kind == 1)
        {
            const char* models[] = {"claude-sonnet-4-5-20250929", "claude-opus-4-1"};
            std::string model = models[pick(2)];
            rec = fmt::format(
                R"({{"timestamp":"{}","latency_ms":{},"ttft_ms":0,"source":"sk-ant-api03-EXAMPLEEXAMPLE{}","auth_index":"c01dbeef2a3b4c5{}",)"
                R"("tokens":{{"input_tokens":{},"output_tokens":{},"reasoning_tokens":0,"cached_tokens":{},"cache_read_tokens":{},"cache_creation_tokens":{},"total_tokens":{}}},)"
                R"("failed":{},"fail":{{"status_code":{},"body":"{}"}},)"
                R"("provider":"claude","executor_type":"ClaudeExecutor","model":"{}","alias":"{}","endpoint":"POST /v1/messages","auth_type":"apikey","api_key":"cpa-user-key-4{}","request_id":"{:08x}"}})",
                timestamp,
                300 + pick(5000),
                pick(9),
                pick(4),
                input,
                output,
                cache_read,
                cache_read,
                cache_creation,
                total,
                failed ? "true" : "false",
                failed ? 429 : 200,
                failed ? "rate limit exceeded" : "",
                model,
                pick(2) ? model : std::string("claude-sonnet-4-5"),
                pick(3),
                static_cast<unsigned>(rng())
            );
        }
        else
        {
            const char* endpoints[] = {
                "POST /v1beta/models/gemini-2.5-pro:generateContent", "POST /v1/chat/completions"};
            rec = fmt::format(
                R"({{"timestamp":"{}","latency_ms":{},"source":"proj-{}","auth_index":"9a9a9a9a9a9a9a9{}",)"
                R"("tokens":{{"input_tokens":{},"output_tokens":{},"reasoning_tokens":{},"cached_tokens":{},"total_tokens":{}}},)"
                R"("failed":{},"provider":"gemini","executor_type":"GeminiExecutor","model":"gemini-2.5-pro","endpoint":"{}","request_id":"{:08x}"}})",
                timestamp,
                100 + pick(4000),
                pick(3),
                pick(3),
                input,
                output,
                reasoning,
                cache_read,
                total,
                failed ? "true" : "false",
                endpoints[pick(2)],
                static_cast<unsigned>(rng())
            );
        }
        out += rec;
        out += '\n';
    }
    return out;
}

expected_usage expected_from_jsonl(const std::string& jsonl, std::size_t window)
{
    struct row
    {
        std::string ts;
        bool failed;
        std::int64_t tokens;
        std::string endpoint, model;
    };
    std::vector<row> rows;
    std::istringstream in(jsonl);
    std::string line;
    while (std::getline(in, line))
    {
        if (line.empty())
            continue;
        auto o = json::parse(line).as_object();
        row r;
        r.ts = std::string(o.at("timestamp").as_string());
        r.failed = o.at("failed").as_bool();
        r.tokens = o.at("tokens").as_object().at("total_tokens").to_number<std::int64_t>();
        r.endpoint = o.contains("endpoint") ? std::string(o.at("endpoint").as_string()) : "-";
        std::string requested = o.contains("alias") ? std::string(o.at("alias").as_string()) : "";
        std::string model = o.contains("model") ? std::string(o.at("model").as_string()) : "";
        r.model = model_key(!requested.empty() ? requested : model);
        rows.push_back(std::move(r));
    }
    // Same-format UTC timestamps sort as strings.
    std::stable_sort(rows.begin(), rows.end(), [](const row& a, const row& b) { return a.ts > b.ts; });
    if (rows.size() > window)
        rows.resize(window);
    expected_usage e;
    for (const auto& r : rows)
    {
        e.total_requests++;
        (r.failed ? e.failure_count : e.success_count)++;
        e.total_tokens += r.tokens;
        e.details[{r.endpoint, r.model}]++;
    }
    return e;
}

} // namespace cpamd::test
