// Cost from rollups (analytics::cost_between, what the analytics routes call) against an oracle:
// every raw event priced on its own by pricing::request_cost, straight from the events table.
// Real SQLite file, real writer (batches, deferred rollups, background band re-derivation).

#include <catch2/catch.hpp>
#include <chrono>
#include <cmath>
#include <cpamd/analytics/priced_usage.hpp>
#include <cpamd/pricing/cost.hpp>
#include <cpamd/store/context_bands.hpp>
#include <cpamd/store/database.hpp>
#include <cpamd/store/event_writer.hpp>
#include <cpamd/store/price_repository.hpp>
#include <cpamd/test/sanitizer.hpp>
#include <cpamd/test/temp_dir.hpp>
#include <cpamd/usage/parse_record.hpp>
#include <cpamd/usage/timestamp.hpp>
#include <fmt/format.h>
#include <future>
#include <map>
#include <random>
#include <thread>

namespace
{

using namespace cpamd;
using pricing::rate;

constexpr std::int64_t ns_per_hour = 3600LL * 1000 * 1000 * 1000;
constexpr std::int64_t start_ns = 1'780'000'000LL * 1000 * 1000 * 1000; // 2026-05-28
constexpr std::int64_t days = 30;
constexpr std::int64_t span_ns = days * 24 * ns_per_hour;

rate r(double v)
{
    return {v, true};
}

pricing::rate_set rates(double prompt, double completion, double cache_read = -1)
{
    pricing::rate_set s;
    s.prompt = r(prompt);
    s.completion = r(completion);
    if (cache_read >= 0)
        s.cache_read = r(cache_read);
    return s;
}

// Random rates, tiers on some models, explicit service tiers on others, one model unpriced.
pricing::price_records random_prices(std::mt19937_64& rng)
{
    std::uniform_real_distribution<double> price(0.05, 20.0);
    auto record = [&](pricing::rate_set s)
    {
        pricing::price_record rec;
        rec.price.rates = s;
        rec.source = "manual";
        return rec;
    };
    pricing::price_records out;
    out["gpt-5.4"] = record(rates(price(rng), price(rng))); // no tiers: legacy long context
    auto p55 = record(rates(price(rng), price(rng), price(rng) / 10));
    pricing::service_tier_price priority{"priority", "priority", {}};
    priority.rates.prompt = r(price(rng));
    p55.price.service_tiers.push_back(priority);
    out["gpt-5.5"] = p55;
    auto sonnet = record(rates(price(rng), price(rng)));
    sonnet.price.rates.cache_creation = r(price(rng));
    pricing::context_tier above200k{200'000, {}};
    above200k.rates.prompt = r(price(rng));
    above200k.rates.completion = r(price(rng));
    sonnet.price.context_tiers.push_back(above200k);
    out["claude-sonnet-4-5"] = sonnet;
    auto gemini = record(rates(price(rng), price(rng)));
    pricing::context_tier above128k{128'000, {}};
    above128k.rates.prompt = r(price(rng));
    pricing::context_tier above500k{500'000, {}};
    above500k.rates.completion = r(price(rng));
    gemini.price.context_tiers = {above128k, above500k};
    out["gemini-2.5-pro"] = gemini;
    out["gpt-5-codex"] = record(rates(price(rng), price(rng)));
    return out;
}

pricing::price_table table_of(const pricing::price_records& records)
{
    pricing::price_table t;
    for (const auto& [id, rec] : records)
        t.prices.emplace(id, rec.price);
    return t;
}

struct model_choice
{
    const char* requested;
    const char* served;
    const char* response; // "" when the record has none (older CPA)
    const char* provider;
};

constexpr model_choice choices[] = {
    {"gpt-5.4", "gpt-5.4", "", "codex"},
    {"gpt-5.4", "gpt-5.4", "gpt-5.4-2026-03-05", "codex"}, // unpriced billing model: falls back
    {"gpt-5.5", "gpt-5.5", "gpt-5.5", "codex"},
    {"my-alias", "gpt-5.5", "", "codex"}, // priced through the served model
    {"claude-sonnet-4-5", "claude-sonnet-4-5", "", "claude"},
    {"gemini-2.5-pro", "gemini-2.5-pro", "gemini-2.5-pro", "gemini"},
    {"gpt-5-codex", "gpt-5-codex", "gpt-5.4", "codex"}, // the response names another priced row
    {"mystery-model", "mystery-model", "", "codex"},    // no price: cost 0
};
constexpr const char* tiers[] = {"", "default", "priority", "flex", "fast"};

// A CPA record through the real parser; inputs cross every threshold used above.
usage::event random_event(std::mt19937_64& rng, int i)
{
    const auto& m = choices[rng() % std::size(choices)];
    std::int64_t ts = start_ns + static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(span_ns));
    std::int64_t input = 0;
    switch (rng() % 4)
    {
    case 0:
        input = 100 + static_cast<std::int64_t>(rng() % 60'000);
        break;
    case 1:
        input = 120'000 + static_cast<std::int64_t>(rng() % 100'000);
        break;
    case 2:
        input = 260'000 + static_cast<std::int64_t>(rng() % 30'000);
        break;
    default:
        input = 400'000 + static_cast<std::int64_t>(rng() % 700'000);
        break;
    }
    std::int64_t cache_read = static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(input / 2 + 1));
    std::int64_t cache_creation =
        m.provider == std::string_view("claude") ? static_cast<std::int64_t>(rng() % 5000) : 0;
    std::int64_t output = static_cast<std::int64_t>(rng() % 20'000);
    std::int64_t reasoning = static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(output + 1));
    // Claude's input excludes the cache buckets; the others include them.
    std::int64_t wire_input =
        m.provider == std::string_view("claude") ? input - cache_read - cache_creation : input;
    auto secs = ts / 1'000'000'000, nanos = ts % 1'000'000'000;
    auto json = fmt::format(
        R"({{"timestamp":"{}","latency_ms":{},"auth_index":"{:016x}","api_key":"sk-{}","provider":"{}",)"
        R"("model":"{}","alias":"{}","service_tier":"{}","endpoint":"POST /v1/responses","auth_type":"oauth",)"
        R"("tokens":{{"input_tokens":{},"output_tokens":{},"reasoning_tokens":{},"cached_tokens":{},)"
        R"("cache_read_tokens":{},"cache_creation_tokens":{},"total_tokens":{}}},"failed":{},"request_id":"{:08x}"}})",
        usage::format_rfc3339nano({secs, static_cast<std::int32_t>(nanos)}),
        rng() % 9000,
        rng() % 6,
        rng() % 5,
        m.provider,
        m.served,
        m.requested,
        tiers[rng() % std::size(tiers)],
        wire_input,
        output,
        reasoning,
        cache_read,
        cache_read,
        cache_creation,
        input + output,
        rng() % 25 == 0 ? "true" : "false",
        static_cast<unsigned>(i)
    );
    auto ev = usage::parse_record(std::string_view(json));
    if (!ev)
        throw std::runtime_error("generated record does not parse: " + ev.error().message());
    ev->response_model = m.response;
    return *ev;
}

// The oracle: every event of [from, to) priced on its own, names and counters read back from SQL.
// Sums in long double (64-bit mantissa on x86-64): a different road to the same figure than the
// compensated double sums of the code under test.
struct oracle_cost
{
    long double usd = 0;
    std::int64_t calls = 0;
    std::map<std::string, long double, std::less<>> by_model;
};

oracle_cost
per_event_cost(store::connection& db, const pricing::price_table& prices, std::int64_t from, std::int64_t to)
{
    auto s = db.prepare(R"sql(
SELECT coalesce(m.value, ''), coalesce(rq.value, ''), coalesce(rs.value, ''), coalesce(rm.value, ''),
       coalesce(st.value, ''), e.cost_uncached, e.cost_cache_read, e.cost_cache_write, e.cost_output,
       e.cost_reasoning
FROM events e
LEFT JOIN dim m ON m.id = e.model LEFT JOIN dim rq ON rq.id = e.requested_model
LEFT JOIN dim rs ON rs.id = e.resolved_model LEFT JOIN dim rm ON rm.id = e.response_model
LEFT JOIN dim st ON st.id = e.service_tier
WHERE e.ts_ns >= ?1 AND e.ts_ns < ?2
)sql");
    s.bind(1, from).bind(2, to);
    oracle_cost out;
    while (s.step())
    {
        std::string model(s.text(0)), requested(s.text(1)), resolved(s.text(2)), response(s.text(3)),
            tier(s.text(4));
        pricing::request_usage req;
        req.models = {response.empty() ? resolved : response, model, requested};
        req.service_tier = tier;
        auto uncached = s.int64(5), read = s.int64(6), write = s.int64(7);
        req.normalized_input = uncached + read + write;
        req.tokens = {req.normalized_input, 0, read, write, s.int64(8), s.int64(9)};
        double usd = pricing::request_cost(prices, req).usd;
        out.usd += usd;
        out.calls++;
        out.by_model[model] += usd;
    }
    return out;
}

void check_equal(const analytics::cost_summary& got, const oracle_cost& want)
{
    CHECK(got.calls == want.calls);
    CHECK(std::abs(static_cast<long double>(got.usd) - want.usd) <= 1e-9L);
    for (const auto& [model, usd] : want.by_model)
    {
        INFO("model " << model);
        auto it = got.usd_by_model.find(model);
        CHECK(
            std::abs(static_cast<long double>(it == got.usd_by_model.end() ? 0.0 : it->second) - usd) <= 1e-9L
        );
    }
}

// Random ranges: whole-hour ones (all rollups), ragged ones (raw edges), tiny and empty ones.
std::pair<std::int64_t, std::int64_t> random_range(std::mt19937_64& rng)
{
    auto pick = [&]
    { return start_ns - ns_per_hour + static_cast<std::int64_t>(rng() % (span_ns + 2 * ns_per_hour)); };
    auto a = pick(), b = pick();
    if (a > b)
        std::swap(a, b);
    switch (rng() % 4)
    {
    case 0:
        return {a / ns_per_hour * ns_per_hour, b / ns_per_hour * ns_per_hour};
    case 1:
        return {a, a + static_cast<std::int64_t>(rng() % (2 * ns_per_hour))};
    default:
        return {a, b};
    }
}

void write_prices(store::event_writer& writer, const pricing::price_records& records)
{
    std::promise<void> done;
    writer.post_task(
        [&](store::connection& c)
        {
            store::transaction tx(c);
            store::replace_price_records(c, records);
            tx.commit();
        },
        [&](std::optional<std::string> error)
        {
            if (error)
                FAIL("writing prices: " << *error);
            done.set_value();
        }
    );
    done.get_future().wait();
}

bool wait_for_bands(store::connection& reader)
{
    for (int i = 0; i < 6000; ++i)
    {
        if (!store::read_context_band_state(reader).rederiving())
            return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
}

} // namespace

TEST_CASE("cost from rollups equals the per-event cost, for random prices, tiers and ranges")
{
    const int events = test::sanitized_build ? 20'000 : 100'000;
    const auto seed = std::random_device{}();
    CAPTURE(seed);
    std::mt19937_64 rng(seed);
    test::temp_dir dir;
    store::writer_options options;
    options.band_rederive_step_events = 2000; // many small steps: reads meet half-done work
    store::event_writer writer(dir / "usage.sqlite", options);
    auto reader = store::open_reader(dir / "usage.sqlite");

    auto prices = random_prices(rng);
    write_prices(writer, prices);
    {
        std::vector<usage::event> batch;
        for (int i = 0; i < events; ++i)
        {
            batch.push_back(random_event(rng, i));
            if (batch.size() == 4096 || i + 1 == events)
                writer.submit(std::exchange(batch, {}), {}, {});
        }
        writer.drain();
    }
    REQUIRE(wait_for_bands(reader));
    auto table = table_of(prices);

    // Every range, whole or ragged, to 1e-9 USD.
    {
        check_equal(
            analytics::cost_between(reader, start_ns - ns_per_hour, start_ns + span_ns + ns_per_hour),
            per_event_cost(reader, table, start_ns - ns_per_hour, start_ns + span_ns + ns_per_hour)
        );
        for (int i = 0; i < 40; ++i)
        {
            auto [from, to] = random_range(rng);
            INFO("range [" << from << ", " << to << ")");
            check_equal(analytics::cost_between(reader, from, to), per_event_cost(reader, table, from, to));
        }
    }

    // A changed rate changes the next answer, with no rebuild.
    {
        auto before = analytics::cost_between(reader, start_ns, start_ns + span_ns);
        prices["claude-sonnet-4-5"].price.context_tiers[0].rates.completion.per_million *= 3;
        prices["gpt-5.4"].price.rates.prompt.per_million += 1.25;
        write_prices(writer, prices);
        CHECK_FALSE(store::read_context_band_state(reader).rederiving()); // same thresholds
        auto after = analytics::cost_between(reader, start_ns, start_ns + span_ns);
        CHECK(after.usd > before.usd);
        check_equal(after, per_event_cost(reader, table_of(prices), start_ns, start_ns + span_ns));
    }

    // A new context threshold re-derives the bands; answers stay exact meanwhile.
    {
        pricing::context_tier above300k{300'000, {}};
        above300k.rates.prompt = r(42);
        prices["gpt-5-codex"].price.context_tiers.push_back(above300k);
        write_prices(writer, prices);
        table = table_of(prices);
        bool seen_midway = false;
        for (int i = 0; i < 200 && !seen_midway; ++i)
        {
            auto [from, to] = random_range(rng);
            seen_midway = store::read_context_band_state(reader).rederiving();
            INFO("range [" << from << ", " << to << ") while re-deriving: " << seen_midway);
            check_equal(analytics::cost_between(reader, from, to), per_event_cost(reader, table, from, to));
        }
        REQUIRE(wait_for_bands(reader));
        auto st = store::read_context_band_state(reader);
        CHECK(st.hours_done == st.hours_total);
        CHECK(std::find(st.thresholds.begin(), st.thresholds.end(), 300'000) != st.thresholds.end());
        check_equal(
            analytics::cost_between(reader, start_ns, start_ns + span_ns),
            per_event_cost(reader, table, start_ns, start_ns + span_ns)
        );
        // Every band of a re-derived row is a floor among the new thresholds.
        auto bad = reader.query_int("SELECT count(*) FROM rollup_hour WHERE context_floor NOT IN (0, 128000, "
                                    "200000, 272000, 300000, 500000)");
        CHECK(bad == 0);
    }
}
