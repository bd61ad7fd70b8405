// Context bands and model families: the helpers the tier rules and the rollups key on.

#include "price_builders.hpp"

#include <catch2/catch.hpp>
#include <cpamd/pricing/context_band.hpp>
#include <cpamd/pricing/model_family.hpp>

using namespace cpamd::pricing;
using namespace cpamd::pricing::test;

TEST_CASE(
    "context_thresholds gathers every tier of rows and built-ins plus the legacy 272k, sorted and unique"
)
{
    price_table t;
    auto a = price_of(prompt_completion(1, 1));
    a.context_tiers = {{300000, {}}, {100000, {}}};
    auto b = price_of(prompt_completion(1, 1));
    b.context_tiers = {{100000, {}}};
    t.prices["a"] = a;
    t.builtin["b"] = b;
    CHECK(context_thresholds(t) == std::vector<std::int64_t>{100000, 272000, 300000});
    CHECK(context_thresholds(price_table{}) == std::vector<std::int64_t>{272000});
}

TEST_CASE("the band floor is the largest threshold strictly below the input, else 0")
{
    const std::vector<std::int64_t> th{100000, 272000, 300000};
    CHECK(context_band_floor(0, th) == 0);
    CHECK(context_band_floor(50000, th) == 0);
    CHECK(context_band_floor(100000, th) == 0); // equal is not exceeding
    CHECK(context_band_floor(100001, th) == 100000);
    CHECK(context_band_floor(272000, th) == 100000);
    CHECK(context_band_floor(272001, th) == 272000);
    CHECK(context_band_floor(1000000, th) == 300000);
    CHECK(context_band_floor(-5, th) == 0);
}

TEST_CASE("a request's own floor is its input minus one, so tiers strictly below it are selected")
{
    CHECK(request_context_floor(0) == 0);
    CHECK(request_context_floor(-3) == 0);
    CHECK(request_context_floor(200000) == 199999);
    CHECK(request_context_floor(200001) == 200000);
}

TEST_CASE("model families match lower-cased ids without provider prefix, not longer version numbers")
{
    CHECK(in_family("gpt-5.4", "gpt-5.4"));
    CHECK(in_family("gpt-5.4-mini", "gpt-5.4"));
    CHECK(in_family("openai/GPT-5.4-pro", "gpt-5.4"));
    CHECK(in_family("gpt-5.6-sol", "gpt-5.6"));
    CHECK(in_family("gpt-5.3-codex-spark", "gpt-5.3-codex"));
    CHECK_FALSE(in_family("gpt-5.40", "gpt-5.4"));
    CHECK_FALSE(in_family("gpt-5.3", "gpt-5.3-codex"));
    CHECK_FALSE(in_family("gpt-5", "gpt-5.4"));
    CHECK_FALSE(in_family("my-gpt-5.4", "gpt-5.4"));
}
