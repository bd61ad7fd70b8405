// Property: for random prices, tiers and requests, pricing each request on its own and summing
// equals pricing once per group of requests sharing (model names, service tier, context band)
// from their summed segments, to 1e-9 USD. This is what lets analytics price rollups instead of
// raw events (cost.hpp).

#include <array>
#include <catch2/catch.hpp>
#include <cpamd/pricing/context_band.hpp>
#include <cpamd/pricing/cost.hpp>
#include <map>
#include <random>
#include <string>
#include <tuple>
#include <vector>

using namespace cpamd::pricing;

namespace
{

using rng = std::mt19937_64;

const std::vector<std::string> model_ids{
    "gpt-5.4",
    "openai/gpt-5.4-mini",
    "gpt-5.5",
    "gpt-5.6-sol",
    "gpt-5.6-terra",
    "gpt-5.3-codex",
    "claude-sonnet-4",
    "gemini-2.5-pro",
};
const std::vector<std::string> tiers{"", "default", "priority", "PRIORITY", "fast", "flex", "batch", "scale"};

std::int64_t uniform(rng& g, std::int64_t lo, std::int64_t hi)
{
    return std::uniform_int_distribution<std::int64_t>(lo, hi)(g);
}

bool coin(rng& g, double p_true = 0.5)
{
    return std::bernoulli_distribution(p_true)(g);
}

rate random_rate(rng& g)
{
    // a few exact-looking figures and arbitrary doubles, each configured or not
    double v =
        coin(g) ? static_cast<double>(uniform(g, 0, 80)) / 4 : std::uniform_real_distribution(0.0, 20.0)(g);
    return {v, coin(g, 0.6)};
}

rate_set random_rates(rng& g)
{
    return {random_rate(g), random_rate(g), random_rate(g), random_rate(g), random_rate(g)};
}

model_price random_price(rng& g)
{
    model_price p;
    p.rates = random_rates(g);
    std::vector<std::int64_t> thresholds{32000, 128000, 200000, 272000, 300000, uniform(g, 1, 600000)};
    std::shuffle(thresholds.begin(), thresholds.end(), g);
    auto tier_count = uniform(g, 0, 3);
    for (std::int64_t i = 0; i < tier_count; ++i)
        p.context_tiers.push_back({thresholds[static_cast<std::size_t>(i)], random_rates(g)});
    if (coin(g, 0.4))
        p.service_tiers.push_back({"fast", "priority", random_rates(g)});
    if (coin(g, 0.2))
        p.service_tiers.push_back({"flex", "flex", random_rates(g)});
    return p;
}

price_table random_table(rng& g)
{
    price_table t;
    for (const auto& id : model_ids)
    {
        if (coin(g, 0.6))
            t.prices[id] = random_price(g);
        if (coin(g, 0.2))
            t.builtin[id] = random_price(g);
    }
    return t;
}

std::string_view pick(rng& g, const std::vector<std::string>& from)
{
    return from[static_cast<std::size_t>(uniform(g, 0, static_cast<std::int64_t>(from.size()) - 1))];
}

struct request
{
    std::string_view billing, analytics, requested, tier;
    std::int64_t normalized_input;
    request_tokens tokens;
};

request random_request(rng& g)
{
    // A handful of (billing, analytics, requested) triples, so that groups hold many requests;
    // they exercise every lookup step, unknown and empty names included.
    static const std::vector<std::array<std::string, 3>> triples = []
    {
        std::vector<std::array<std::string, 3>> v;
        for (const auto& id : model_ids)
            v.push_back({id, id, id});
        v.push_back({"unknown-model", "gpt-5.5", "gpt-5.4"});
        v.push_back({"", "unknown-model", "gpt-5.6-sol"});
        v.push_back({"unknown-model", "", ""});
        return v;
    }();
    const auto& names =
        triples[static_cast<std::size_t>(uniform(g, 0, static_cast<std::int64_t>(triples.size()) - 1))];
    request r{names[0], names[1], names[2], pick(g, tiers), 0, {}};
    // inputs around every threshold; buckets may exceed the input (clamped prompt) or be negative
    r.tokens.input = coin(g, 0.3) ? uniform(g, 0, 2000) : uniform(g, 0, 650000);
    r.tokens.cached = coin(g, 0.3) ? uniform(g, -10, r.tokens.input / 4) : 0;
    r.tokens.cache_read = coin(g, 0.5) ? uniform(g, 0, r.tokens.input) : 0;
    r.tokens.cache_creation = coin(g, 0.3) ? uniform(g, 0, r.tokens.input / 2) : 0;
    r.tokens.output = uniform(g, -5, 40000);
    r.tokens.reasoning = uniform(g, 0, 10000);
    r.normalized_input = coin(g, 0.9) ? r.tokens.input : r.tokens.input + r.tokens.cache_read;
    return r;
}

using group_key =
    std::tuple<std::string_view, std::string_view, std::string_view, std::string_view, std::int64_t>;

struct group_sum
{
    segment_tokens tokens;
    double per_request_usd = 0;
    std::string priced_model;
    int requests = 0;
};

} // namespace

TEST_CASE("property: per-group cost from summed segments equals the sum of per-request costs")
{
    int groups_checked = 0;
    int tiered_groups = 0;
    int requests_in_shared_groups = 0;
    for (std::uint64_t seed = 1; seed <= 40; ++seed)
    {
        rng g(seed);
        const auto table = random_table(g);
        const auto thresholds = context_thresholds(table);

        std::map<group_key, group_sum> groups;
        double total_per_request = 0;
        for (int i = 0; i < 3000; ++i)
        {
            auto r = random_request(g);
            auto direct = request_cost(
                table, {{r.billing, r.analytics, r.requested}, r.tier, r.normalized_input, r.tokens}
            );
            auto floor = context_band_floor(r.normalized_input, thresholds);
            auto& sum = groups[{r.billing, r.analytics, r.requested, r.tier, floor}];
            ++sum.requests;
            sum.tokens += segments_of(r.tokens);
            sum.per_request_usd += direct.usd;
            sum.priced_model = direct.priced_model;
            total_per_request += direct.usd;
        }

        double total_grouped = 0;
        for (const auto& [key, sum] : groups)
        {
            const auto& [billing, analytics, requested, tier, floor] = key;
            auto grouped = group_cost(table, {{billing, analytics, requested}, tier, floor, sum.tokens});
            INFO(
                "seed " << seed << " model " << grouped.priced_model << " tier " << tier << " floor " << floor
            );
            CHECK(grouped.usd == Approx(sum.per_request_usd).margin(1e-9).epsilon(0));
            CHECK(grouped.priced_model == sum.priced_model);
            total_grouped += grouped.usd;
            ++groups_checked;
            if (sum.requests > 1)
                requests_in_shared_groups += sum.requests;
            if (floor > 0 && grouped.usd > 0)
                ++tiered_groups;
        }
        CHECK(total_grouped == Approx(total_per_request).margin(1e-9).epsilon(0));
    }
    // not vacuous: most requests share a group, and many groups lie above some threshold
    INFO("groups " << groups_checked << ", above a threshold " << tiered_groups);
    CHECK(requests_in_shared_groups > 40 * 3000 * 3 / 4);
    CHECK(tiered_groups > 1000);
}
