// Model matching (pricing/model_matching.hpp): identity levels, uniqueness, candidates.

#include <catch2/catch.hpp>
#include <cpamd/pricing/model_matching.hpp>

using namespace cpamd::pricing;

namespace
{

source_model
entry(std::string id, double prompt, std::vector<std::string> aliases = {}, bool official = false)
{
    source_model m;
    m.id = std::move(id);
    m.aliases = std::move(aliases);
    m.official = official;
    m.price.rates.prompt = {prompt, true};
    m.price.rates.completion = {prompt * 4, true};
    return m;
}

std::string matched_id(const model_matcher& mm, std::string_view name)
{
    auto r = mm.identify(name);
    return r.unique ? mm.catalog().models[*r.unique].id : std::string();
}

} // namespace

TEST_CASE("names are normalized by tail, case, date and separators", "[pricing][matching]")
{
    CHECK(model_tail("openai/gpt-5") == "gpt-5");
    CHECK(model_tail("openrouter/openai/gpt-5") == "gpt-5");
    CHECK(model_tail("gpt-5") == "gpt-5");
    CHECK(normalize_model_name("Claude-Sonnet-4.5") == "claudesonnet45");
    CHECK(normalize_model_name("anthropic/claude-sonnet-4-5-20250929") == "claudesonnet45");
    CHECK(normalize_model_name("gpt-4o-2024-08-06") == "gpt4o");
    CHECK(normalize_model_name("gpt-4-0613") == "gpt40613"); // four digits are a version, not a date
    CHECK(normalize_model_name("claude-3-5-sonnet@20240620") == "claude35sonnet");
}

TEST_CASE("name similarity: bigram Dice, containment floor", "[pricing][matching]")
{
    CHECK(name_similarity("gpt-5", "GPT_5") == 1.0);
    CHECK(name_similarity("gpt-5", "gpt-5-mini") >= 0.75); // contained
    CHECK(name_similarity("gemini-2.5-pro", "gemini-2.5-flash") == Approx(14.0 / 22.0));
    CHECK(name_similarity("claude-opus-4", "llama-3.1-8b") < 0.3);
    CHECK(name_similarity("", "x") == 0);
}

TEST_CASE("identity levels: exact, case, source id, provider prefix, normalized", "[pricing][matching]")
{
    source_catalog c;
    c.models = {
        entry("gpt-5", 1.25),
        entry("GPT-4O", 2.5),
        entry("openai/o3", 2, {"o3"}),
        entry("anthropic/claude-opus-4-1", 15),
        entry("claude-sonnet-4-20250514", 3),
    };
    model_matcher mm(c);
    CHECK(matched_id(mm, "gpt-5") == "gpt-5");
    CHECK(mm.identify("gpt-5").reason == "exact");
    CHECK(matched_id(mm, "gpt-4o") == "GPT-4O");
    CHECK(mm.identify("gpt-4o").reason == "case-insensitive");
    CHECK(matched_id(mm, "O3") == "openai/o3");
    CHECK(mm.identify("O3").reason == "source-model-id");
    CHECK(matched_id(mm, "claude-opus-4-1") == "anthropic/claude-opus-4-1");
    CHECK(mm.identify("claude-opus-4-1").reason == "provider-prefix");
    CHECK(matched_id(mm, "vertex/gpt-5") == "gpt-5"); // the other way round
    CHECK(matched_id(mm, "claude-sonnet-4") == "claude-sonnet-4-20250514");
    CHECK(mm.identify("claude-sonnet-4").reason == "normalized");
    CHECK_FALSE(mm.identify("gpt-6").unique);
    CHECK(mm.identify("gpt-6").ambiguous.empty());
}

TEST_CASE("only a unique identity match is taken", "[pricing][matching]")
{
    source_catalog c;
    c.models = {
        entry("openai/gpt-5", 1.25),
        entry("azure/gpt-5", 1.375),
        entry("vercel/gpt-5", 1.25),
        entry("openai/gpt-4.1", 2),
        entry("azure/gpt-4.1", 2),
        entry("openai/o4-mini", 1.1, {}, true),
        entry("azure/o4-mini", 1.21),
    };
    model_matcher mm(c);
    auto gpt5 = mm.identify("gpt-5");
    CHECK_FALSE(gpt5.unique);
    CHECK(gpt5.ambiguous.size() == 3);
    CHECK(gpt5.reason == "provider-prefix");
    CHECK(matched_id(mm, "gpt-4.1") == "openai/gpt-4.1"); // several listings, one price
    CHECK(matched_id(mm, "o4-mini") == "openai/o4-mini"); // one official listing decides

    // The ambiguous listings are the candidates, scored by their level.
    auto cands = mm.candidates("gpt-5");
    REQUIRE(cands.size() == 3);
    for (const auto& k : cands)
    {
        CHECK(k.score == 0.94);
        CHECK(k.reason == "provider-prefix");
    }
}

TEST_CASE("fuzzy candidates: threshold 0.55, best first, at most 8", "[pricing][matching]")
{
    source_catalog c;
    for (int i = 0; i < 12; ++i)
        c.models.push_back(entry("gpt-5-variant-" + std::to_string(i), 1));
    c.models.push_back(entry("gpt-5-codex", 1.25));
    c.models.push_back(entry("llama-3.1-405b", 3));
    model_matcher mm(c);

    auto cands = mm.candidates("gpt-5-codex-high");
    REQUIRE_FALSE(cands.empty());
    CHECK(cands.size() <= model_matcher::max_candidates);
    CHECK(c.models[cands[0].index].id == "gpt-5-codex");
    CHECK(cands[0].reason == "name-contains");
    for (std::size_t i = 1; i < cands.size(); ++i)
        CHECK(cands[i - 1].score >= cands[i].score);
    for (const auto& k : cands)
    {
        CHECK(k.score >= model_matcher::min_score);
        CHECK(c.models[k.index].id != "llama-3.1-405b");
    }
    CHECK(mm.candidates("qwen3-coder").empty());

    auto many = mm.candidates("gpt-5-variant"); // twelve names contain it
    CHECK(many.size() == model_matcher::max_candidates);
}

TEST_CASE("same_price compares rates, flags and tiers", "[pricing][matching]")
{
    auto a = entry("a", 1).price;
    auto b = a;
    CHECK(same_price(a, b));
    b.rates.cache_read = {0, true};
    CHECK_FALSE(same_price(a, b));
    b = a;
    b.context_tiers.push_back({200000, {}});
    CHECK_FALSE(same_price(a, b));
}

TEST_CASE("import names drop models.dev's provider", "[pricing][matching]")
{
    source_model m;
    m.id = "openai/gpt-5";
    m.provider = "openai";
    CHECK(import_name(m) == "gpt-5");
    m.id = "openrouter/openai/gpt-5";
    m.provider = "openrouter";
    CHECK(import_name(m) == "openai/gpt-5");
    m.id = "azure/gpt-4.1";
    m.provider = ""; // LiteLLM: the key is the name
    CHECK(import_name(m) == "azure/gpt-4.1");
}
