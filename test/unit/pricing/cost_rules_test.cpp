// One test per rule of analytics-api §1 "Cost", each against a figure computed by hand
// (the arithmetic is in the comment next to it). Prices are USD per 1M tokens.

#include "price_builders.hpp"

#include <catch2/catch.hpp>
#include <cpamd/pricing/cost.hpp>
#include <string>

using namespace cpamd::pricing;
using namespace cpamd::pricing::test;

namespace
{

// Exact to well below a micro-dollar: the figures below have at most 6 decimals.
Approx usd(double v)
{
    return Approx(v).margin(1e-12).epsilon(0);
}

struct one_model
{
    std::string model;
    model_price price;

    cost_result cost(request_tokens tokens, std::int64_t normalized_input, std::string_view tier = "") const
    {
        price_table t;
        t.prices[model] = price;
        return request_cost(t, {{model, model, model}, tier, normalized_input, tokens});
    }

    // Input only: normalized input = input.
    double input_cost(std::int64_t input, std::int64_t output = 0, std::string_view tier = "") const
    {
        return cost({.input = input, .output = output}, input, tier).usd;
    }
};

} // namespace

TEST_CASE("lookup: billing model, then analytics model, then requested model")
{
    price_table t;
    t.prices["billing"] = price_of(prompt_completion(1, 0));
    t.prices["analytics"] = price_of(prompt_completion(2, 0));
    t.prices["requested"] = price_of(prompt_completion(3, 0));
    request_tokens tok{.input = 1000};
    auto cost = [&](model_names n) { return request_cost(t, {n, "", 1000, tok}); };

    auto all = cost({"billing", "analytics", "requested"});
    CHECK(all.usd == usd(0.001)); // 1000 * 1 / 1e6
    CHECK(all.priced_model == "billing");
    CHECK(all.origin == price_origin::table);

    CHECK(cost({"unknown", "analytics", "requested"}).usd == usd(0.002)); // 1000 * 2 / 1e6
    CHECK(cost({"", "analytics", "requested"}).priced_model == "analytics");
    CHECK(cost({"unknown", "unknown", "requested"}).usd == usd(0.003)); // 1000 * 3 / 1e6
    CHECK(cost({"", "", "requested"}).priced_model == "requested");
}

TEST_CASE("lookup: built-in list prices only when no name has a row")
{
    price_table t;
    t.builtin["gpt-5.6-sol"] = price_of(prompt_completion(4, 0));
    t.prices["requested"] = price_of(prompt_completion(3, 0));
    request_tokens tok{.input = 1000};

    // A row for the least preferred name beats a built-in price for the most preferred one.
    auto row = request_cost(t, {{"gpt-5.6-sol", "", "requested"}, "", 1000, tok});
    CHECK(row.usd == usd(0.003)); // 1000 * 3 / 1e6
    CHECK(row.origin == price_origin::table);

    auto built_in = request_cost(t, {{"gpt-5.6-sol", "", "other"}, "", 1000, tok});
    CHECK(built_in.usd == usd(0.004)); // 1000 * 4 / 1e6
    CHECK(built_in.priced_model == "gpt-5.6-sol");
    CHECK(built_in.origin == price_origin::builtin);
}

TEST_CASE("no price: the cost is 0 and no model is named")
{
    price_table t;
    t.prices["other"] = price_of(prompt_completion(5, 5));
    auto r = request_cost(t, {{"a", "b", "c"}, "priority", 1000, {.input = 1000, .output = 10}});
    CHECK(r.usd == 0);
    CHECK(r.priced_model.empty());
    CHECK(r.origin == price_origin::none);
}

TEST_CASE("segments: prompt = max(input - (cached + cache_read) - cache_creation, 0), each at its rate")
{
    rate_set r;
    r.prompt = set(2);
    r.completion = set(8);
    r.cache = set(0.5);
    r.cache_read = set(0.2);
    r.cache_creation = set(2.5);
    one_model m{"m", price_of(r)};

    request_tokens tok{
        .input = 10000, .cached = 1000, .cache_read = 2000, .cache_creation = 3000, .output = 500};
    CHECK(segments_of(tok).prompt == 4000); // 10000 - (1000 + 2000) - 3000
    // (4000*2 + 1000*0.5 + 2000*0.2 + 3000*2.5 + 500*8) / 1e6 = (8000+500+400+7500+4000) / 1e6
    CHECK(m.cost(tok, 10000).usd == usd(0.0204));
}

TEST_CASE("segments: the prompt is clamped at 0 per request")
{
    rate_set r = prompt_completion(2, 8);
    r.cache_read = set(0.2);
    one_model m{"m", price_of(r)};
    // Claude-style counters: input excludes the cache read, so the difference is negative.
    request_tokens tok{.input = 1000, .cache_read = 1500};
    CHECK(segments_of(tok).prompt == 0);
    CHECK(m.cost(tok, 2500).usd == usd(0.0003)); // (0*2 + 1500*0.2) / 1e6
    // Negative counters count as 0.
    CHECK(segments_of({.input = 100, .cached = -50, .output = -7}) == segment_tokens{.prompt = 100});
}

TEST_CASE("fallback: an unset cache_read uses the cache price")
{
    rate_set r = prompt_completion(2, 8);
    r.cache = set(0.5);
    one_model m{"m", price_of(r)};
    // prompt = 5000 - 2000 = 3000; (3000*2 + 2000*0.5) / 1e6 = (6000 + 1000) / 1e6
    CHECK(m.cost({.input = 5000, .cache_read = 2000}, 5000).usd == usd(0.007));
}

TEST_CASE("fallback: with neither cache_read nor cache set, cache_read costs 10% of prompt")
{
    one_model m{"m", price_of(prompt_completion(2, 8))};
    // prompt = 3000; (3000*2 + 2000*0.2) / 1e6 = (6000 + 400) / 1e6
    CHECK(m.cost({.input = 5000, .cache_read = 2000}, 5000).usd == usd(0.0064));

    // The top-level cache of the wire is flagless: a reader maps cache = 0 to "unset".
    rate_set zero = prompt_completion(2, 8);
    zero.cache = {0, false};
    CHECK(one_model{"m", price_of(zero)}.cost({.input = 5000, .cache_read = 2000}, 5000).usd == usd(0.0064));
}

TEST_CASE("fallback: an unset cache_creation uses the prompt price")
{
    one_model m{"m", price_of(prompt_completion(2, 8))};
    // prompt = 5000 - 3000 = 2000; (2000*2 + 3000*2) / 1e6
    CHECK(m.cost({.input = 5000, .cache_creation = 3000}, 5000).usd == usd(0.01));
}

TEST_CASE("cached tokens are charged at the cache price")
{
    rate_set r = prompt_completion(2, 8);
    r.cache = set(0.5);
    r.cache_read = set(0.1);
    one_model m{"m", price_of(r)};
    // prompt = 5000 - 1000 = 4000; (4000*2 + 1000*0.5) / 1e6
    CHECK(m.cost({.input = 5000, .cached = 1000}, 5000).usd == usd(0.0085));
}

TEST_CASE("reasoning tokens have no rate of their own: they are part of output")
{
    one_model m{"m", price_of(prompt_completion(2, 8))};
    // 1000 * 8 / 1e6, whatever the reasoning count
    CHECK(m.cost({.output = 1000, .reasoning = 400}, 0).usd == usd(0.008));
    CHECK(m.cost({.output = 1000, .reasoning = 0}, 0).usd == usd(0.008));
}

TEST_CASE("context tier: the threshold must be strictly exceeded")
{
    auto p = price_of(prompt_completion(2, 8));
    p.context_tiers = {{200000, prompt_completion(4, 16)}};
    one_model m{"m", p};
    CHECK(m.input_cost(200000) == usd(0.4));      // 200000 * 2 / 1e6: equal is not above
    CHECK(m.input_cost(200001) == usd(0.800004)); // 200001 * 4 / 1e6
}

TEST_CASE("context tier: the highest threshold exceeded wins; none exceeded keeps the base")
{
    auto p = price_of(prompt_completion(2, 8));
    p.context_tiers = {
        {300000, prompt_completion(5, 8)},
        {100000, prompt_completion(3, 8)},
        {200000, prompt_completion(4, 8)},
    };
    one_model m{"m", p};
    CHECK(m.input_cost(50000) == usd(0.1));       // none: 50000 * 2 / 1e6
    CHECK(m.input_cost(150000) == usd(0.45));     // 100k tier: 150000 * 3 / 1e6
    CHECK(m.input_cost(250000) == usd(1.0));      // 200k tier: 250000 * 4 / 1e6
    CHECK(m.input_cost(300001) == usd(1.500005)); // 300k tier: 300001 * 5 / 1e6
}

TEST_CASE("context tier: prices the whole request; unconfigured rates come from the base")
{
    auto p = price_of(prompt_completion(2, 8));
    context_tier tier{100000, {}};
    tier.rates.prompt = set(3); // completion not configured: 8 stays
    p.context_tiers = {tier};
    one_model m{"m", p};
    // every input token at the tier's 3, not only those above 100k: (150000*3 + 1000*8) / 1e6
    CHECK(m.input_cost(150000, 1000) == usd(0.458));
    // cache_read falls back to 10% of the tier's prompt: prompt = 140000;
    // (140000*3 + 10000*0.3 + 1000*8) / 1e6 = (420000 + 3000 + 8000) / 1e6
    CHECK(m.cost({.input = 150000, .cache_read = 10000, .output = 1000}, 150000).usd == usd(0.431));
}

TEST_CASE("context tier: picked by the normalized input, not by the prompt segment")
{
    auto p = price_of(prompt_completion(2, 8));
    p.context_tiers = {{100000, prompt_completion(4, 8)}};
    rate_set tier_rates = prompt_completion(4, 8);
    tier_rates.cache_read = set(0.4);
    p.context_tiers[0].rates = tier_rates;
    one_model m{"m", p};
    // normalized input 150000 selects the tier though prompt = 150000 - 100000 = 50000;
    // (50000*4 + 100000*0.4) / 1e6 = (200000 + 40000) / 1e6
    CHECK(m.cost({.input = 150000, .cache_read = 100000}, 150000).usd == usd(0.24));
}

TEST_CASE("legacy long-context: gpt-5.4/5.5/5.6 rows without tiers, above 272k: input x2, output x1.5")
{
    rate_set r = prompt_completion(2.5, 15);
    r.cache_read = set(0.25);
    request_tokens long_request{.input = 300000, .cache_read = 100000, .output = 2000};

    // prompt = 200000 at 2.5*2 = 5; cache_read at 0.25*2 = 0.5; completion 15*1.5 = 22.5:
    // (200000*5 + 100000*0.5 + 2000*22.5) / 1e6 = (1000000 + 50000 + 45000) / 1e6
    for (const char* id : {"gpt-5.4", "gpt-5.5", "gpt-5.6-sol", "openai/gpt-5.4-mini"})
        CHECK(one_model{id, price_of(r)}.cost(long_request, 300000).usd == usd(1.095));

    one_model m{"gpt-5.4", price_of(r)};
    CHECK(m.input_cost(272000, 2000) == usd(0.71));     // not above: (272000*2.5 + 2000*15) / 1e6
    CHECK(m.input_cost(272001, 2000) == usd(1.405005)); // (272001*5 + 2000*22.5) / 1e6
    // cache_creation falls back to the prompt's 2.5, then x2: (200000*5 + 100000*5) / 1e6
    CHECK(m.cost({.input = 300000, .cache_creation = 100000}, 300000).usd == usd(1.5));

    // base rates: (200000*2.5 + 100000*0.25 + 2000*15) / 1e6 = (500000 + 25000 + 30000) / 1e6
    for (const char* id : {"gpt-5.3-codex", "gpt-5", "claude-opus-4", "gpt-5.40"})
        CHECK(one_model{id, price_of(r)}.cost(long_request, 300000).usd == usd(0.555));
    auto tiered = price_of(r);
    tiered.context_tiers = {{500000, prompt_completion(9, 9)}}; // a row with tiers: tiers only
    CHECK(one_model{"gpt-5.4", tiered}.cost(long_request, 300000).usd == usd(0.555));
}

TEST_CASE("service tier: an explicit price for the tier, matched by service tier or mode, any case")
{
    auto p = price_of(prompt_completion(2.5, 15));
    p.service_tiers = {{"fast", "priority", prompt_completion(5, 30)}};
    one_model m{"gpt-5.4", p};
    // (1000*5 + 100*30) / 1e6, and no x2 multiplier on top
    CHECK(m.input_cost(1000, 100, "priority") == usd(0.008));
    CHECK(m.input_cost(1000, 100, "fast") == usd(0.008));
    CHECK(m.input_cost(1000, 100, "Priority") == usd(0.008));
    // another tier has no explicit price: flex multiplier on the base, (1000*2.5 + 100*15) * 0.5 / 1e6
    CHECK(m.input_cost(1000, 100, "flex") == usd(0.002));
}

TEST_CASE("service tier: the explicit price overrides only what it configures, also over a context tier")
{
    auto p = price_of(prompt_completion(2, 10));
    p.context_tiers = {{100000, prompt_completion(4, 10)}};
    service_tier_price st{"fast", "priority", {}};
    st.rates.prompt = set(6);
    p.service_tiers = {st};
    one_model m{"m", p};
    CHECK(m.input_cost(150000, 100, "priority") == usd(0.901)); // (150000*6 + 100*10) / 1e6
    CHECK(m.input_cost(150000, 100) == usd(0.601));             // (150000*4 + 100*10) / 1e6
    CHECK(m.input_cost(50000, 100, "priority") == usd(0.301));  // (50000*6 + 100*10) / 1e6
}

TEST_CASE("service tier multipliers: flex and batch x0.5 for every model")
{
    // base: (1000*2 + 100*10) / 1e6 = 0.003
    for (const char* id : {"gpt-5.4", "claude-sonnet-4", "gemini-2.5-pro"})
    {
        one_model m{id, price_of(prompt_completion(2, 10))};
        CHECK(m.input_cost(1000, 100) == usd(0.003));
        CHECK(m.input_cost(1000, 100, "flex") == usd(0.0015)); // 0.003 * 0.5
        CHECK(m.input_cost(1000, 100, "batch") == usd(0.0015));
    }
}

TEST_CASE("service tier multipliers: priority and fast x2 for gpt-5.4*, gpt-5.3-codex, gpt-5.6")
{
    for (const char* id : {"gpt-5.4", "gpt-5.4-mini", "gpt-5.3-codex", "gpt-5.6-luna"})
    {
        one_model m{id, price_of(prompt_completion(2, 10))};
        CHECK(m.input_cost(1000, 100, "priority") == usd(0.006)); // 0.003 * 2
        CHECK(m.input_cost(1000, 100, "fast") == usd(0.006));
    }
}

TEST_CASE("service tier multipliers: priority and fast x2.5 for gpt-5.5")
{
    one_model m{"gpt-5.5", price_of(prompt_completion(2, 10))};
    CHECK(m.input_cost(1000, 100, "priority") == usd(0.0075)); // 0.003 * 2.5
    CHECK(m.input_cost(1000, 100, "fast") == usd(0.0075));
}

TEST_CASE("service tier multipliers: none for other models and other tiers")
{
    for (const char* id : {"gpt-5.3", "gpt-5", "claude-opus-4"})
        CHECK(
            one_model{id, price_of(prompt_completion(2, 10))}.input_cost(1000, 100, "priority") == usd(0.003)
        );
    one_model m{"gpt-5.4", price_of(prompt_completion(2, 10))};
    for (const char* tier : {"", "default", "auto", "scale"})
        CHECK(m.input_cost(1000, 100, tier) == usd(0.003));
}

TEST_CASE("multipliers compose with the legacy long-context factors")
{
    one_model m{"gpt-5.5", price_of(prompt_completion(2, 10))};
    // prompt 2*2.5*2 = 10, completion 10*2.5*1.5 = 37.5: (300000*10 + 1000*37.5) / 1e6
    CHECK(m.input_cost(300000, 1000, "priority") == usd(3.0375));
    // flex: prompt 2*0.5*2 = 2, completion 10*0.5*1.5 = 7.5: (300000*2 + 1000*7.5) / 1e6
    CHECK(m.input_cost(300000, 1000, "flex") == usd(0.6075));
}

TEST_CASE("a group prices its summed segments with the rates of its band")
{
    auto p = price_of(prompt_completion(2, 8));
    p.context_tiers = {{100000, prompt_completion(4, 8)}};
    price_table t;
    t.prices["m"] = p;
    segment_tokens sum = segments_of({.input = 150000, .output = 10});
    sum += segments_of({.input = 120000, .cache_read = 130000, .output = 20}); // prompt clamped to 0
    CHECK(sum.prompt == 150000);
    // band floor 100000 (both inputs exceed it): (150000*4 + 130000*0.4 + 30*8) / 1e6
    auto r = group_cost(t, {{"m", "", ""}, "", 100000, sum});
    CHECK(r.usd == usd(0.65224)); // (600000 + 52000 + 240) / 1e6
}
