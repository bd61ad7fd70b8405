#include "generator.hpp"

#include "context.hpp"
#include "json_text.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <fmt/format.h>
#include <openssl/sha.h>

namespace cpamd::sim
{
namespace
{

namespace asio = boost::asio;
namespace json = boost::json;

const std::vector<std::string> client_keys = {
    "sk-cpa-client-0001",
    "sk-cpa-client-0002",
    "cpa-user-key-42",
    "team-research-7f3a",
    "",
};
const std::vector<std::string> user_agents = {
    "codex_cli_rs/0.42.0 (Debian 12; x86_64) xterm-256color",
    "claude-cli/2.0.14 (external, cli)",
    "GeminiCLI/0.9.0 (linux; x64)",
    "OpenAI/Python 1.109.1",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0 Safari/537.36",
    "curl/8.5.0",
};
const std::vector<std::string> efforts = {"", "low", "medium", "high", "minimal"};

std::string email(std::mt19937_64& rng, int i)
{
    static const std::vector<std::string> names = {"alice", "bob", "carol", "dave", "erin", "frank", "grace"};
    static const std::vector<std::string> domains = {"example.com", "example.org", "mail.example.net"};
    return fmt::format("{}{}@{}", names[rng() % names.size()], i, domains[rng() % domains.size()]);
}

// Failure bodies the way upstreams send them; some are long to vary record sizes.
std::pair<int, std::string> failure(std::mt19937_64& rng, const std::string& semantics)
{
    switch (rng() % 6)
    {
    case 0:
        return {
            429,
            semantics == "claude"
                ? R"({"type":"error","error":{"type":"rate_limit_error","message":"rate limit exceeded"}})"
                : R"({"error":{"message":"You exceeded your current quota, please check your plan and billing details.","type":"insufficient_quota","param":null,"code":"insufficient_quota"}})"};
    case 1:
        return {529, R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})"};
    case 2:
        return {
            401,
            R"({"error":{"message":"Provided authentication token is expired. Please try signing in again.","type":"invalid_request_error","code":"token_expired"}})"};
    case 3:
    {
        // A long HTML error page from a CDN, trimmed: the big failure bodies of the issue.
        std::string body = "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad "
                           "Gateway</h1></center><hr><center>cloudflare</center>";
        std::size_t pad = 400 + rng() % 2000;
        while (body.size() < pad)
            body += "<!-- a padding to disable MSIE and Chrome friendly error page -->";
        body += "</body></html>";
        return {502, body};
    }
    case 4:
        return {
            400,
            R"({"error":{"code":400,"message":"Request contains an invalid argument.","status":"INVALID_ARGUMENT","details":[{"@type":"type.googleapis.com/google.rpc.BadRequest","fieldViolations":[{"field":"contents[0].parts","description":"must not be empty"}]}]}})"};
    default:
        return {500, "stream error: stream ID 17; INTERNAL_ERROR; received from peer & retried <3 times>"};
    }
}

} // namespace

std::string sha256_hex(const std::string& data)
{
    unsigned char md[SHA256_DIGEST_LENGTH];
    SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), md);
    std::string out;
    for (unsigned char c : md)
        out += fmt::format("{:02x}", c);
    return out;
}

std::string auth_index_for(const std::string& seed)
{
    return sha256_hex(seed).substr(0, 16);
}

const std::vector<std::pair<std::string, std::string>>& model_catalogue()
{
    static const std::vector<std::pair<std::string, std::string>> models = {
        {"gpt-5-codex", "openai"},
        {"gpt-5", "openai"},
        {"claude-sonnet-4-5-20250929", "anthropic"},
        {"claude-opus-4-1-20250805", "anthropic"},
        {"gemini-2.5-pro", "google"},
        {"gemini-2.5-flash", "google"},
        {"deepseek-chat", "deepseek"},
    };
    return models;
}

std::string record_factory::hex(std::size_t chars)
{
    static const char* digits = "0123456789abcdef";
    std::string s;
    for (std::size_t i = 0; i < chars; ++i)
        s.push_back(digits[rng_() % 16]);
    return s;
}

bool sends_v7_3_keys(std::string_view v)
{
    if (v.starts_with('v') || v.starts_with('V'))
        v.remove_prefix(1);
    auto number = [&](int& out)
    {
        std::size_t n = 0;
        out = 0;
        while (n < v.size() && n < 6 && v[n] >= '0' && v[n] <= '9')
            out = out * 10 + (v[n++] - '0');
        v.remove_prefix(n);
        return n > 0;
    };
    int major = 0, minor = 0;
    if (!number(major))
        return false;
    if (!v.starts_with('.'))
        return major > 7;
    v.remove_prefix(1);
    if (!number(minor))
        return major > 7;
    return major > 7 || (major == 7 && minor >= 3);
}

record_factory::record_factory(std::uint64_t seed, bool v7_3_keys) : rng_(seed), v7_3_keys_(v7_3_keys)
{
    auto oauth = [&](int n, const std::string& provider)
    {
        std::vector<account> v;
        for (int i = 0; i < n; ++i)
        {
            std::string e = email(rng_, i);
            v.push_back({e, auth_index_for(provider + ":" + e), "oauth"});
        }
        return v;
    };
    auto keys = [&](int n, const std::string& prefix)
    {
        std::vector<account> v;
        for (int i = 0; i < n; ++i)
        {
            std::string k = prefix + hex(32);
            v.push_back({k, auth_index_for(k), "apikey"});
        }
        return v;
    };
    providers_.push_back(
        {"codex",
         "CodexExecutor",
         "openai",
         {{"gpt-5-codex", "gpt-5-codex"}, {"gpt-5", "gpt-5"}, {"gpt-5-codex-mini", "codex-mini"}},
         {"POST /v1/responses", "POST /backend-api/codex/responses", "POST /v1/chat/completions"},
         oauth(4, "codex"),
         "auto"}
    );
    auto claude_accounts = oauth(2, "claude");
    for (auto& a : keys(2, "sk-ant-api03-"))
        claude_accounts.push_back(a);
    providers_.push_back(
        {"claude",
         "ClaudeExecutor",
         "claude",
         {{"claude-sonnet-4-5-20250929", "claude-sonnet-4-5"},
          {"claude-opus-4-1-20250805", "claude-opus-4-1"},
          {"claude-haiku-4-5-20251001", "claude-haiku-4-5"}},
         {"POST /v1/messages", "POST /v1/chat/completions"},
         claude_accounts,
         "default"}
    );
    providers_.push_back(
        {"gemini",
         "GeminiCLIExecutor",
         "gemini",
         {{"gemini-2.5-pro", "gemini-2.5-pro"}, {"gemini-2.5-flash", "gemini-2.5-flash"}},
         {"POST /v1beta/models/*action", "POST /v1/chat/completions"},
         oauth(3, "gemini"),
         "default"}
    );
    std::vector<account> vertex;
    for (int i = 0; i < 2; ++i)
    {
        std::string project = fmt::format("vertex-proj-{}", 100000 + rng_() % 900000);
        vertex.push_back({project, auth_index_for("vertex:" + project), "oauth"});
    }
    providers_.push_back(
        {"vertex",
         "VertexExecutor",
         "gemini",
         {{"gemini-2.5-pro", "gemini-2.5-pro"}},
         {"POST /v1beta/models/*action"},
         vertex,
         "default"}
    );
    providers_.push_back(
        {"antigravity",
         "AntigravityExecutor",
         "gemini",
         {{"gemini-3-pro-preview", "gemini-3-pro-preview"},
          {"claude-sonnet-4-5-thinking", "claude-sonnet-4-5"}},
         {"POST /v1/chat/completions", "POST /v1beta/models/*action"},
         oauth(2, "antigravity"),
         "default"}
    );
    providers_.push_back(
        {"openrouter",
         "OpenAICompatExecutor",
         "openai",
         {{"deepseek/deepseek-chat-v3.1", "deepseek-chat"}, {"qwen/qwen3-coder", "qwen3-coder"}},
         {"POST /v1/chat/completions"},
         keys(2, "sk-or-v1-"),
         "auto"}
    );
    providers_.push_back(
        {"aistudio",
         "AIStudioExecutor",
         "gemini",
         {{"gemini-2.5-flash", "gemini-2.5-flash"}},
         {"POST /v1beta/models/*action"},
         keys(1, "AIza"),
         "default"}
    );
}

generated_record record_factory::next(std::chrono::system_clock::time_point now)
{
    // Retries share the request id, provider and model of the failed attempt before them.
    bool retry = last_failed_ && !last_request_id_.empty() && chance(60);
    std::size_t pi =
        retry ? last_provider_ : static_cast<std::size_t>(below(100) < 30 ? 0 : below(providers_.size()));
    const auto& p = providers_[pi];
    const auto& acct = p.accounts[below(p.accounts.size())];
    const auto& model = p.models[below(p.models.size())];
    std::string endpoint = p.endpoints[below(p.endpoints.size())];
    std::string request_id = retry ? last_request_id_ : hex(8);
    if (chance(2))
    {
        endpoint.clear(); // e.g. a home-mode record: no route, no request id
        request_id.clear();
    }
    bool failed = chance(12);
    int status = 200;
    std::string fail_body;
    if (failed)
        std::tie(status, fail_body) = failure(rng_, p.semantics);

    std::int64_t latency =
        failed ? 80 + static_cast<std::int64_t>(below(3000)) : 400 + static_cast<std::int64_t>(below(60000));
    std::int64_t ttft = failed || chance(10) ? 0 : 50 + static_cast<std::int64_t>(below(latency / 2 + 1));
    int offset = chance(60) ? 0 : (chance(75) ? 480 : -300);
    auto start = now - std::chrono::milliseconds(latency) - std::chrono::nanoseconds(below(1'000'000));

    // Canonical counts first, then the provider-native flat view (spec §1).
    std::int64_t uncached = 0, cache_read = 0, cache_write = 0, non_reasoning = 0, reasoning = 0,
                 unclassified = 0;
    if (!failed)
    {
        uncached = 50 + static_cast<std::int64_t>(below(20000));
        cache_read = chance(60) ? static_cast<std::int64_t>(below(60000)) : 0;
        cache_write = p.semantics == "claude" && chance(40) ? static_cast<std::int64_t>(below(8000)) : 0;
        non_reasoning = 1 + static_cast<std::int64_t>(below(4000));
        reasoning = p.semantics != "claude" && chance(50) ? static_cast<std::int64_t>(below(3000)) : 0;
    }
    std::string quality = "complete";
    if (!failed && chance(3))
    {
        quality = "unclassified";
        unclassified = 1 + static_cast<std::int64_t>(below(500));
    }
    std::int64_t in_total = uncached + cache_read + cache_write;
    std::int64_t out_total = non_reasoning + reasoning;
    std::int64_t total = in_total + out_total + unclassified;

    std::int64_t input_tokens = 0, output_tokens = 0, reasoning_tokens = 0;
    if (p.semantics == "openai")
    {
        input_tokens = uncached + cache_read; // includes cache
        output_tokens = non_reasoning + reasoning;
        reasoning_tokens = reasoning;
    }
    else if (p.semantics == "gemini")
    {
        input_tokens = uncached + cache_read;
        output_tokens = non_reasoning; // reasoning separate
        reasoning_tokens = reasoning;
    }
    else
    {
        input_tokens = uncached; // excludes cache reads and writes
        output_tokens = non_reasoning + reasoning;
        reasoning_tokens = 0;
    }

    // Some records are lean (no headers, no token hash): the small end of the size range.
    const bool lean = !failed && chance(8);
    json::object headers;
    if (lean)
    {
        // no response_headers at all (the key is omitempty)
    }
    else if (p.provider == "codex")
    {
        headers["Content-Type"] = json::array{"text/event-stream"};
        headers["X-Codex-Primary-Used-Percent"] = json::array{json::string(std::to_string(below(100)))};
        headers["X-Codex-Secondary-Used-Percent"] = json::array{json::string(std::to_string(below(100)))};
        headers["X-Codex-Primary-Window-Minutes"] = json::array{"300"};
        headers["Openai-Processing-Ms"] = json::array{json::string(std::to_string(latency - 20))};
    }
    else if (p.provider == "claude")
    {
        headers["Anthropic-Ratelimit-Unified-Status"] = json::array{"allowed"};
        headers["Anthropic-Ratelimit-Unified-5h-Utilization"] =
            json::array{json::string(fmt::format("0.{:02}", below(100)))};
        headers["Request-Id"] = json::array{json::string("req_011C" + hex(20))};
        if (chance(30))
            headers["Set-Cookie"] =
                json::array{json::string("__cf_bm=" + hex(43) + "; path=/; HttpOnly; Secure")};
    }
    else if (chance(50))
        headers["Content-Type"] = json::array{"application/json"};
    if (status == 429)
        headers["Retry-After"] = json::array{json::string(std::to_string(1 + below(60)))};
    if (!lean && chance(25))
    {
        headers["Cf-Ray"] = json::array{json::string(hex(16) + "-SJC")};
        headers["Date"] = json::array{"Sat, 22 Aug 2026 06:10:02 GMT"};
    }

    json::object rec;
    rec["timestamp"] = rfc3339_nano(start, offset);
    rec["latency_ms"] = latency;
    rec["ttft_ms"] = ttft;
    rec["source"] = chance(3) ? std::string() : acct.source;
    rec["auth_index"] = acct.auth_index;
    if (acct.auth_type == "oauth" && !lean && chance(80))
        rec["access_token_sha256"] = sha256_hex(hex(40));
    std::string ip =
        chance(50) ? fmt::format("10.0.0.{}", 2 + below(250)) : fmt::format("203.0.113.{}", 1 + below(254));
    rec["client_ip"] = ip;
    rec["x_forwarded_for"] = chance(30) ? (chance(50) ? ip : ip + ", 10.0.0.1") : std::string();
    rec["user_agent"] = lean ? std::string("curl/8.5.0") : user_agents[below(user_agents.size())];
    rec["tokens"] = json::object{
        {"input_tokens", input_tokens},
        {"output_tokens", output_tokens},
        {"reasoning_tokens", reasoning_tokens},
        {"cached_tokens", cache_read},
        {"cache_read_tokens", cache_read},
        {"cache_read_tokens_present", true},
        {"cache_creation_tokens", cache_write},
        {"total_tokens", total},
    };
    rec["failed"] = failed;
    rec["generate"] = !chance(2);
    rec["fail"] = json::object{{"status_code", status}, {"body", fail_body}};
    if (!headers.empty())
        rec["response_headers"] = std::move(headers);
    rec["accounting_version"] = 2;
    rec["token_breakdown"] = json::object{
        {"schema_version", 2},
        {"quality", quality},
        {"total_tokens", total},
        {"input",
         json::object{
             {"total_tokens", in_total},
             {"uncached_tokens", uncached},
             {"cache_read_tokens", cache_read},
             {"cache_write_tokens", cache_write}}},
        {"output",
         json::object{
             {"total_tokens", out_total},
             {"non_reasoning_tokens", non_reasoning},
             {"reasoning_tokens", reasoning}}},
        {"unclassified_tokens", unclassified},
    };
    rec["provider"] = p.provider;
    rec["executor_type"] = p.executor;
    rec["model"] = model.first;
    rec["alias"] = model.second;
    rec["endpoint"] = endpoint;
    rec["auth_type"] = acct.auth_type;
    rec["api_key"] = client_keys[below(client_keys.size())];
    rec["request_id"] = request_id;
    rec["reasoning_effort"] =
        p.semantics == "claude" && chance(50) ? std::string() : efforts[below(efforts.size())];
    rec["service_tier"] = endpoint.find("/v1/messages") != std::string::npos ? "default" : p.default_tier;
    if (p.provider == "codex" && chance(70))
        rec["response_service_tier"] = chance(80) ? "default" : "priority";
    if (v7_3_keys_)
    {
        // Where CPA v7.3 puts these two among the others is not known: last. response_model is the
        // model the upstream's response named: usually the served model, sometimes a dated snapshot
        // of it (Codex), absent when there was no response to read it from (most failures) or the
        // executor does not report it.
        if (!(failed && chance(80)) && !chance(10))
            rec["response_model"] =
                p.provider == "codex" && chance(25) ? model.first + "-2025-08-07" : model.first;
        // Clients of the Responses and Messages APIs mostly stream.
        rec["stream"] = chance(endpoint.find("/chat/completions") != std::string::npos ? 40 : 85);
    }

    generated_record out;
    out.json = gin_json(rec);
    if (failed)
    {
        json::object ev;
        ev["timestamp"] = rfc3339_nano(now, offset);
        ev["provider"] = p.provider;
        ev["model"] = model.first;
        ev["auth_id"] = acct.source.find('@') != std::string::npos ? p.provider + "-" + acct.source + ".json"
                                                                   : acct.auth_index;
        ev["auth_index"] = acct.auth_index;
        ev["status_code"] = status;
        ev["body"] = fail_body;
        ev["retryable"] = status == 429 || status >= 500;
        json::object st{
            {"status", status == 401 ? "error" : "active"},
            {"disabled", false},
            {"unavailable", status == 429}};
        if (status == 429)
            st["next_retry_after"] = rfc3339_nano(now + std::chrono::seconds(30), offset);
        ev["auth_status"] = std::move(st);
        out.error_event = gin_json(ev);
    }
    last_failed_ = failed;
    last_request_id_ = request_id;
    last_provider_ = pi;
    return out;
}

void produce_record(sim_context& ctx, std::string json, std::string_view origin)
{
    auto seq = ctx.queue.produce(json, origin);
    ctx.add_log_line(fmt::format("usage record {} produced by {} ({} bytes)", seq, origin, json.size()));
    if (ctx.config.usage_statistics_enabled)
        ctx.queue.enqueue(seq, std::move(json));
    else
        ctx.queue.discard(seq, "usage-statistics-disabled");
}

asio::awaitable<void> run_generator(sim_context* ctx)
{
    using clock = std::chrono::steady_clock;
    record_factory factory(ctx->opts.seed, sends_v7_3_keys(ctx->opts.cpa_version));
    asio::steady_timer timer(co_await asio::this_coro::executor);
    const double rate = ctx->opts.rate;
    std::uint64_t produced = 0;
    auto base = clock::now();
    std::uint64_t base_count = 0;
    bool was_paused = false;
    while ((!ctx->opts.total || produced < *ctx->opts.total) && !ctx->stopping)
    {
        if (ctx->paused)
        {
            was_paused = true;
            timer.expires_after(std::chrono::milliseconds(20));
            co_await timer.async_wait(asio::use_awaitable);
            continue;
        }
        if (was_paused)
        {
            // No burst after a pause: restart the schedule from now.
            was_paused = false;
            base = clock::now();
            base_count = produced;
        }
        auto elapsed = std::chrono::duration<double>(clock::now() - base).count();
        auto due = static_cast<std::uint64_t>(elapsed * rate) + 1 + base_count;
        std::uint64_t n = due > produced ? due - produced : 0;
        // At most 64 per turn so subscriber writers get to run between batches.
        n = std::min<std::uint64_t>(n, 64);
        if (ctx->opts.total)
            n = std::min(n, *ctx->opts.total - produced);
        auto now = std::chrono::system_clock::now();
        for (std::uint64_t i = 0; i < n; ++i)
        {
            auto rec = factory.next(now);
            if (!rec.error_event.empty())
                ctx->queue.publish_error_event(rec.error_event);
            produce_record(*ctx, std::move(rec.json), "generator");
            ++produced;
        }
        if (n == 64)
        {
            co_await asio::post(co_await asio::this_coro::executor, asio::use_awaitable);
            continue;
        }
        auto next_at =
            base + std::chrono::duration_cast<clock::duration>(
                       std::chrono::duration<double>(static_cast<double>(produced - base_count) / rate)
                   );
        timer.expires_at(std::min(next_at, clock::now() + std::chrono::milliseconds(50)));
        co_await timer.async_wait(asio::use_awaitable);
    }
    ctx->generator_done = true;
    ctx->add_log_line(fmt::format("generator finished after {} records", produced));
}

} // namespace cpamd::sim
