#include "fixtures.hpp"

#include <catch2/catch.hpp>
#include <cpamd/usage/analytics_model.hpp>
#include <cpamd/usage/normalize_tokens.hpp>

using namespace cpamd::usage;
using cpamd::usage::test::must_parse;

TEST_CASE("tokens: token_breakdown v2 wins over the flat counters", "[usage][tokens]")
{
    // Flat counters deliberately disagree with the breakdown.
    auto ev = must_parse(R"({"timestamp":"2026-05-06T00:00:01Z","provider":"claude","model":"c",
        "tokens":{"input_tokens":1,"output_tokens":2,"reasoning_tokens":0,"cached_tokens":0,"cache_read_tokens":0},
        "token_breakdown":{"schema_version":2,"quality":"complete","total_tokens":180,
          "input":{"total_tokens":150,"uncached_tokens":100,"cache_read_tokens":30,"cache_write_tokens":20},
          "output":{"total_tokens":30,"non_reasoning_tokens":20,"reasoning_tokens":10}}})");
    CHECK(ev.semantics == token_semantics::breakdown_v2);
    CHECK(ev.cost == cost_tokens{100, 30, 20, 30, 10});
    CHECK(ev.cost.total_input() == 150);
    CHECK(ev.tokens.input == 1); // raw counters stay raw
    CHECK(ev.tokens.output == 2);
}

TEST_CASE("tokens: a breakdown with another schema version is ignored", "[usage][tokens]")
{
    auto ev = must_parse(R"({"timestamp":"2026-05-06T00:00:01Z","provider":"codex","model":"c",
        "tokens":{"input_tokens":100,"output_tokens":10,"cached_tokens":40,"cache_read_tokens":40},
        "token_breakdown":{"schema_version":3,"input":{"uncached_tokens":1},"output":{"total_tokens":1}}})");
    CHECK(ev.semantics == token_semantics::openai);
    CHECK(ev.cost == cost_tokens{60, 40, 0, 10, 0});
}

TEST_CASE(
    "tokens: OpenAI/Codex flat semantics (input includes cache, output includes reasoning)", "[usage][tokens]"
)
{
    token_counts t;
    t.input = 12000;
    t.output = 900;
    t.reasoning = 300;
    t.cached = 8000;
    t.cache_read = 8000;
    auto c = cost_from_flat(t, semantics_for_provider("codex"));
    CHECK(c == cost_tokens{4000, 8000, 0, 900, 300}); // never 16000 cache reads
    CHECK(c.total() == 12900);
    CHECK(semantics_for_provider("openai-compat-foo") == token_semantics::openai);
    CHECK(semantics_for_provider("") == token_semantics::openai);
}

TEST_CASE("tokens: Gemini/Vertex/Antigravity semantics (reasoning separate from output)", "[usage][tokens]")
{
    token_counts t;
    t.input = 1000;
    t.output = 50;
    t.reasoning = 30;
    t.cache_read = 200;
    for (auto p : {"gemini", "vertex", "antigravity", "aistudio", "Gemini-CLI"})
    {
        INFO(p);
        CHECK(semantics_for_provider(p) == token_semantics::gemini);
        CHECK(cost_from_flat(t, semantics_for_provider(p)) == cost_tokens{800, 200, 0, 80, 30});
    }
}

TEST_CASE("tokens: Claude semantics (input excludes cache reads and writes)", "[usage][tokens]")
{
    token_counts t;
    t.input = 100;
    t.output = 40;
    t.reasoning = 12;
    t.cached = 500;
    t.cache_read = 500;
    t.cache_creation = 200;
    auto c = cost_from_flat(t, semantics_for_provider("claude"));
    CHECK(c == cost_tokens{100, 500, 200, 40, 12});
    CHECK(c.total_input() == 800);
    // Claude via executor_type when the provider is unknown
    auto ev = must_parse(
        R"({"timestamp":"2026-05-06T00:00:01Z","provider":"unknown","executor_type":"ClaudeExecutor",
        "model":"c","tokens":{"input_tokens":100,"output_tokens":40,"cache_read_tokens":500,"cache_creation_tokens":200}})"
    );
    CHECK(ev.semantics == token_semantics::claude);
    CHECK(ev.cost == cost_tokens{100, 500, 200, 40, 0});
}

TEST_CASE("tokens: old records without cache_read_tokens use cached_tokens, never a sum", "[usage][tokens]")
{
    token_counts t;
    t.input = 1000;
    t.output = 10;
    t.cached = 300;
    CHECK(cost_from_flat(t, token_semantics::openai) == cost_tokens{700, 300, 0, 10, 0});
    t.cache = 350; // cache_tokens of old aggregate exports: max, not sum
    CHECK(cost_from_flat(t, token_semantics::openai).cache_read == 350);
    t.cache_read = 200; // present: wins
    CHECK(cost_from_flat(t, token_semantics::openai).cache_read == 200);
}

TEST_CASE("tokens: negative and oversized counters are clamped", "[usage][tokens]")
{
    token_counts t;
    t.input = -5;
    t.output = -1;
    t.cache_read = 10;
    CHECK(cost_from_flat(t, token_semantics::openai) == cost_tokens{0, 10, 0, 0, 0});
    t.input = 5; // cache bigger than input
    CHECK(cost_from_flat(t, token_semantics::gemini).input_uncached == 0);
    t.output = INT64_MAX;
    t.reasoning = INT64_MAX;
    CHECK(cost_from_flat(t, token_semantics::gemini).output == INT64_MAX);
    CHECK(cost_from_flat(t, token_semantics::gemini).total() == INT64_MAX); // no signed overflow
    CHECK(saturating_add(INT64_MIN, -1) == INT64_MIN);
    // A record whose counters saturate is refused (limits.hpp), not stored clamped.
    auto r =
        parse_record(R"({"timestamp":1,"model":"m","input_tokens":9223372036854775807,"output_tokens":4})");
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error() == errc::token_count_out_of_range);
}

TEST_CASE("tokens: sources tokens, usage, top level, snake and camel case", "[usage][tokens]")
{
    auto a = must_parse(
        R"({"timestamp":1778000000,"model":"m","usage":{"prompt_tokens":10,"completion_tokens":5,"cache_read_input_tokens":2,"cache_creation_input_tokens":1}})"
    );
    CHECK(a.tokens.input == 10);
    CHECK(a.tokens.output == 5);
    CHECK(a.tokens.cache_read == 2);
    CHECK(a.tokens.cache_creation == 1);
    CHECK(a.tokens.total == 15); // missing: canonical total (7 uncached + 2 + 1 + 5)
    auto b = must_parse(
        R"({"timestamp":1778000000,"model":"m","inputTokens":"7","outputTokens":3,"cacheWriteTokens":2,"totalTokens":99})"
    );
    CHECK(b.tokens.input == 7);
    CHECK(b.tokens.output == 3);
    CHECK(b.tokens.cache_creation == 2);
    CHECK(b.tokens.total == 99);
    // tokens{} wins over top level per field; missing fields fall through
    auto c = must_parse(
        R"({"timestamp":1778000000,"model":"m","tokens":{"input_tokens":1},"input_tokens":50,"output_tokens":4})"
    );
    CHECK(c.tokens.input == 1);
    CHECK(c.tokens.output == 4);
}

TEST_CASE("tokens: compat cached_tokens of the /usage payload", "[usage][tokens]")
{
    auto tc = [](std::int64_t cached, std::int64_t cache, std::int64_t read, std::int64_t creation)
    {
        token_counts t;
        t.cached = cached;
        t.cache = cache;
        t.cache_read = read;
        t.cache_creation = creation;
        return compat_cached_tokens(t);
    };
    CHECK(tc(10, 0, 4, 3) == 3);
    CHECK(tc(0, 10, 4, 3) == 3);
    CHECK(tc(8000, 0, 8000, 0) == 0); // the usual CPA record: cached duplicates read
    CHECK(tc(5, 0, 8, 0) == 0);
    CHECK(tc(5, 0, -2, -1) == 5); // negative buckets count as 0
    CHECK(tc(300, 0, 0, 0) == 300);
}

TEST_CASE("analytics model key strips thinking suffixes", "[usage][analytics_model]")
{
    CHECK(analytics_model("gpt-5(high)") == "gpt-5");
    CHECK(analytics_model("gpt-5(HIGH)") == "gpt-5");
    CHECK(analytics_model("gemini-2.5-pro(8192)") == "gemini-2.5-pro");
    CHECK(analytics_model("gemini-2.5-pro(0)") == "gemini-2.5-pro");
    CHECK(analytics_model("m(-1)") == "m");
    for (auto l : {"none", "auto", "minimal", "low", "medium", "xhigh", "max"})
        CHECK(analytics_model(std::string("m(") + l + ")") == "m");
    CHECK(analytics_model("gpt-5(turbo)") == "gpt-5(turbo)");
    CHECK(analytics_model("m(-2)") == "m(-2)");
    CHECK(analytics_model("(high)") == "(high)"); // empty base
    CHECK(analytics_model("m()") == "m()");
    CHECK(analytics_model("gpt-5") == "gpt-5");
    CHECK(analytics_model("") == "");
}
