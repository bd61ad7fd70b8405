// analytics::summarize_dashboard (GET /v0/management/dashboard/summary) against an oracle: every
// section computed straight from the raw events with plain loops (no rollups), for random
// windows starting at whole hours, half hours and 45 minutes. Real parser, real writer.

#include "analytics_fixtures.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <cmath>
#include <cpamd/analytics/dashboard_rules.hpp>
#include <cpamd/analytics/dashboard_summary.hpp>
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
using analytics::ratio;

constexpr std::int64_t ms_per_hour = 3'600'000;
constexpr std::int64_t day0_ms = 1'780'012'800'000; // 2026-05-29T00:00Z
constexpr std::int64_t first_ms = day0_ms - 24 * ms_per_hour;
constexpr std::int64_t span_ms = 3 * 24 * ms_per_hour;

constexpr const char* models[][2] = {
    {"gpt-5.4", "codex"},
    {"gpt-5.5", "codex"},
    {"claude-sonnet-4-5", "claude"},
    {"gemini-2.5-pro", "gemini"},
    {"mystery-model", "codex"}, // unpriced
};
constexpr const char* tiers[] = {"", "default", "priority", "flex"};

usage::event random_event(std::mt19937_64& rng, int i)
{
    const auto& m = models[rng() % std::size(models)];
    std::int64_t ts_ns = (first_ms + static_cast<std::int64_t>(rng() % span_ms)) * 1'000'000 +
                         static_cast<std::int64_t>(rng() % 1'000'000);
    bool zero = rng() % 20 == 0;
    std::int64_t input =
        zero ? 0 : 50 + static_cast<std::int64_t>(rng() % (rng() % 8 == 0 ? 300'000 : 20'000));
    std::int64_t read = static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(input / 2 + 1));
    std::int64_t creation = m[1] == std::string_view("claude") ? static_cast<std::int64_t>(rng() % 3000) : 0;
    if (zero)
        creation = 0;
    // Old records: only the legacy cached_tokens, no cache_read_tokens.
    bool legacy = rng() % 5 == 0;
    std::int64_t output = zero ? 0 : static_cast<std::int64_t>(rng() % 8000);
    std::int64_t reasoning = static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(output + 1));
    std::int64_t wire_input = m[1] == std::string_view("claude") ? input - read - creation : input;
    bool failed = rng() % 12 == 0;
    std::string latency;
    switch (rng() % 6)
    {
    case 0:
        break; // none
    case 1:
        latency = R"("latency_ms":0,)";
        break;
    default:
        latency = fmt::format(R"("latency_ms":{},)", rng() % 40'000);
    }
    std::string failure = failed ? fmt::format(R"(,"fail_status_code":{})", rng() % 2 ? 429 : 500) : "";
    auto secs = ts_ns / 1'000'000'000, nanos = ts_ns % 1'000'000'000;
    auto json = fmt::format(
        R"({{"timestamp":"{}",{}"auth_index":"{:016x}","source":"acct{}@example.com","api_key":"sk-{}",)"
        R"("provider":"{}","model":"{}","service_tier":"{}","endpoint":"POST /v1/responses","auth_type":"oauth",)"
        R"("tokens":{{"input_tokens":{},"output_tokens":{},"reasoning_tokens":{},"cached_tokens":{},)"
        R"("cache_read_tokens":{},"cache_creation_tokens":{},"total_tokens":{}}},"failed":{},"request_id":"{:08x}"{}}})",
        usage::format_rfc3339nano({secs, static_cast<std::int32_t>(nanos)}),
        latency,
        rng() % 7,
        rng() % 9,
        rng() % 4,
        m[1],
        m[0],
        tiers[rng() % std::size(tiers)],
        wire_input,
        output,
        reasoning,
        read,
        legacy ? 0 : read,
        creation,
        zero ? 0 : input + output,
        failed ? "true" : "false",
        static_cast<unsigned>(i),
        failure
    );
    auto ev = usage::parse_record(std::string_view(json));
    if (!ev)
        throw std::runtime_error("generated record does not parse: " + ev.error().message());
    return *ev;
}

// One raw event as the oracle sees it: strings resolved, plain values.
struct raw_event
{
    std::int64_t id = 0, ts_ns = 0;
    std::string model, auth_index, source, source_hash, api_key_hash, account, label, provider_snapshot,
        provider;
    bool failed = false;
    std::int64_t output = 0, reasoning = 0, cache_read = 0, cache_creation = 0, total = 0;
    std::int64_t uncached = 0, cost_read = 0, cost_write = 0;
    std::optional<std::int64_t> latency;
    double usd = 0;
};

std::vector<raw_event> read_all(store::connection& db, const pricing::price_table& table)
{
    auto s = db.prepare(R"sql(
SELECT e.id, e.ts_ns, coalesce(m.value, ''), coalesce(ai.value, ''), coalesce(so.value, ''), coalesce(sh.value, ''),
       coalesce(ak.value, ''), coalesce(ac.value, ''), coalesce(lb.value, ''), coalesce(ps.value, ''),
       coalesce(pr.value, ''), e.failed, e.output_tokens, e.reasoning_tokens, e.cache_read_tokens,
       e.cache_creation_tokens, e.total_tokens, e.cost_uncached, e.cost_cache_read, e.cost_cache_write,
       e.cost_output, e.cost_reasoning, e.latency_ms, coalesce(rq.value, ''), coalesce(rs.value, ''),
       coalesce(rm.value, ''), coalesce(st.value, '')
FROM events e
LEFT JOIN dim m ON m.id = e.model LEFT JOIN dim ai ON ai.id = e.auth_index LEFT JOIN dim so ON so.id = e.source
LEFT JOIN dim sh ON sh.id = e.source_hash LEFT JOIN dim ak ON ak.id = e.api_key
LEFT JOIN dim ac ON ac.id = e.account_snapshot LEFT JOIN dim lb ON lb.id = e.auth_label_snapshot
LEFT JOIN dim ps ON ps.id = e.auth_provider_snapshot LEFT JOIN dim pr ON pr.id = e.provider
LEFT JOIN dim rq ON rq.id = e.requested_model LEFT JOIN dim rs ON rs.id = e.resolved_model
LEFT JOIN dim rm ON rm.id = e.response_model LEFT JOIN dim st ON st.id = e.service_tier
)sql");
    std::vector<raw_event> out;
    while (s.step())
    {
        raw_event e;
        e.id = s.int64(0), e.ts_ns = s.int64(1);
        e.model = s.text(2), e.auth_index = s.text(3), e.source = s.text(4), e.source_hash = s.text(5);
        e.api_key_hash = s.text(6), e.account = s.text(7), e.label = s.text(8),
        e.provider_snapshot = s.text(9);
        e.provider = s.text(10), e.failed = s.int64(11) != 0;
        e.output = s.int64(12), e.reasoning = s.int64(13), e.cache_read = s.int64(14);
        e.cache_creation = s.int64(15), e.total = s.int64(16);
        e.uncached = s.int64(17), e.cost_read = s.int64(18), e.cost_write = s.int64(19);
        e.latency = s.opt_int64(22);
        std::string requested(s.text(23)), resolved(s.text(24)), response(s.text(25)), tier(s.text(26));
        pricing::request_usage req;
        req.models = {response.empty() ? resolved : response, e.model, requested};
        req.service_tier = tier;
        req.normalized_input = e.uncached + e.cost_read + e.cost_write;
        req.tokens = {req.normalized_input, 0, e.cost_read, e.cost_write, s.int64(20), s.int64(21)};
        e.usd = pricing::request_cost(table, req).usd;
        out.push_back(std::move(e));
    }
    return out;
}

std::optional<double> avg(long double sum, std::int64_t n)
{
    if (n == 0)
        return std::nullopt;
    return static_cast<double>(sum / n);
}

void check_cost(double got, long double want)
{
    CHECK(std::abs(static_cast<long double>(got) - want) <= 1e-9L);
}

// The oracle, section by section, compared as it goes.
void check_against_oracle(
    const analytics::dashboard_summary& got,
    const std::vector<raw_event>& events,
    const analytics::dashboard_params& p,
    const std::map<std::string, std::string>& aliases
)
{
    const std::int64_t from = p.today_start_ms * 1'000'000, to = p.now_ms * 1'000'000;
    std::vector<const raw_event*> today;
    for (const auto& e : events)
        if (e.ts_ns >= from && e.ts_ns < to)
            today.push_back(&e);

    // today
    {
        std::int64_t calls = 0, fails = 0, input = 0, output = 0, cached = 0, read = 0, creation = 0,
                     reasoning = 0, total = 0, zero = 0, lat_n = 0, cost_read = 0;
        long double lat_sum = 0, usd = 0;
        for (const auto* e : today)
        {
            calls++, fails += e->failed;
            input += e->uncached + e->cost_read + e->cost_write;
            output += e->output, reasoning += e->reasoning, read += e->cache_read,
                creation += e->cache_creation;
            total += e->total, cost_read += e->cost_read;
            zero += !e->failed && e->total == 0;
            if (e->latency && *e->latency > 0)
                lat_n++, lat_sum += *e->latency;
            usd += e->usd;
        }
        cached = std::max<std::int64_t>(cost_read - read, 0);
        const auto& t = got.today;
        CHECK(t.total_calls == calls);
        CHECK(t.failure_calls == fails);
        CHECK(t.success_calls == calls - fails);
        CHECK(t.success_rate == ratio(calls - fails, calls));
        CHECK(t.input_tokens == input);
        CHECK(t.output_tokens == output);
        CHECK(t.cached_tokens == cached);
        CHECK(t.cache_read_tokens == read);
        CHECK(t.cache_creation_tokens == creation);
        CHECK(t.reasoning_tokens == reasoning);
        CHECK(t.total_tokens == total);
        CHECK(t.zero_token_calls == zero);
        CHECK(t.average_latency_ms == avg(lat_sum, lat_n));
        check_cost(t.total_cost, usd);
        auto mix = analytics::token_mix(t);
        REQUIRE(got.token_mix.size() == 4);
        for (std::size_t i = 0; i < 4; ++i)
            CHECK(got.token_mix[i].tokens == mix[i].tokens);
    }
    // rolling 30 minutes
    {
        std::int64_t calls = 0, tokens = 0;
        for (const auto& e : events)
            if (e.ts_ns >= to - 30LL * 60'000'000'000 && e.ts_ns < to)
                calls++, tokens += e.total;
        CHECK(got.rolling_30m_start_ms == p.now_ms - 1'800'000);
        CHECK(got.rolling_30m.total_calls == calls);
        CHECK(got.rolling_30m.total_tokens == tokens);
        CHECK(got.rolling_30m.rpm == static_cast<double>(calls) / 30.0);
    }
    // models
    {
        struct acc
        {
            std::int64_t calls = 0, success = 0, tokens = 0;
            long double usd = 0;
        };
        std::map<std::string, acc> by;
        for (const auto* e : today)
        {
            auto& a = by[e->model];
            a.calls++, a.success += !e->failed, a.tokens += e->total, a.usd += e->usd;
        }
        std::vector<std::pair<std::string, acc>> rows(by.begin(), by.end());
        auto top = rows;
        std::sort(
            top.begin(),
            top.end(),
            [](auto& a, auto& b)
            { return a.second.calls != b.second.calls ? a.second.calls > b.second.calls : a.first < b.first; }
        );
        top.resize(std::min<std::size_t>(top.size(), static_cast<std::size_t>(p.top_models)));
        REQUIRE(got.top_models_today.size() == top.size());
        for (std::size_t i = 0; i < top.size(); ++i)
        {
            CHECK(got.top_models_today[i].model == top[i].first);
            CHECK(got.top_models_today[i].calls == top[i].second.calls);
            CHECK(got.top_models_today[i].tokens == top[i].second.tokens);
            CHECK(got.top_models_today[i].success_rate == ratio(top[i].second.success, top[i].second.calls));
            check_cost(got.top_models_today[i].cost, top[i].second.usd);
        }
        long double max_usd = 0;
        for (auto& r : rows)
            max_usd = std::max(max_usd, r.second.usd);
        std::sort(
            rows.begin(),
            rows.end(),
            [](auto& a, auto& b)
            {
                if (a.second.usd != b.second.usd)
                    return a.second.usd > b.second.usd;
                return a.second.calls != b.second.calls ? a.second.calls > b.second.calls : a.first < b.first;
            }
        );
        rows.resize(std::min<std::size_t>(rows.size(), static_cast<std::size_t>(p.top_models)));
        REQUIRE(got.model_cost_rank.size() == rows.size());
        for (std::size_t i = 0; i < rows.size(); ++i)
        {
            CHECK(got.model_cost_rank[i].model == rows[i].first);
            check_cost(got.model_cost_rank[i].cost, rows[i].second.usd);
            CHECK(
                std::abs(
                    got.model_cost_rank[i].cost_share - (max_usd > 0 ? rows[i].second.usd / max_usd : 0)
                ) <= 1e-9L
            );
        }
    }
    // 24 h timeline
    {
        REQUIRE(got.traffic_timeline.size() == 24);
        std::int64_t calls[24] = {}, tokens[24] = {}, fails[24] = {};
        for (const auto* e : today)
        {
            auto i = (e->ts_ns / 1'000'000 - p.today_start_ms) / ms_per_hour;
            if (i < 24)
                calls[i]++, tokens[i] += e->total, fails[i] += e->failed;
        }
        std::int64_t max_calls = *std::max_element(calls, calls + 24),
                     max_tokens = *std::max_element(tokens, tokens + 24);
        for (int i = 0; i < 24; ++i)
        {
            INFO("hour " << i);
            const auto& pt = got.traffic_timeline[static_cast<std::size_t>(i)];
            CHECK(pt.bucket_ms == p.today_start_ms + i * ms_per_hour);
            CHECK(pt.calls == calls[i]);
            CHECK(pt.tokens == tokens[i]);
            CHECK(pt.failure == fails[i]);
            CHECK(pt.success == calls[i] - fails[i]);
            CHECK(pt.calls_share == ratio(calls[i], max_calls));
            CHECK(pt.tokens_share == ratio(tokens[i], max_tokens));
        }
    }
    // health strip
    {
        REQUIRE(got.health.points.size() == 144);
        std::int64_t calls[144] = {}, fails[144] = {};
        for (const auto* e : today)
        {
            auto i = (e->ts_ns / 1'000'000 - p.today_start_ms) / 600'000;
            if (i < 144)
                calls[i]++, fails[i] += e->failed;
        }
        std::int64_t total = 0, total_fails = 0;
        for (int i = 0; i < 144; ++i)
        {
            const auto& pt = got.health.points[static_cast<std::size_t>(i)];
            std::int64_t bucket = p.today_start_ms + i * 600'000LL;
            CHECK(pt.calls == calls[i]);
            CHECK(pt.failure == fails[i]);
            CHECK(pt.future == (bucket > p.now_ms));
            CHECK(
                pt.tone == analytics::health_cell_tone(calls[i], ratio(fails[i], calls[i]), bucket > p.now_ms)
            );
            total += calls[i], total_fails += fails[i];
        }
        CHECK(got.health.total_calls == total);
        CHECK(got.health.failure_calls == total_fails);
        CHECK(got.health.to_ms == p.today_start_ms + 144 * 600'000LL);
    }
    // channels
    {
        struct acc
        {
            std::int64_t calls = 0, fails = 0, tokens = 0, lat_n = 0;
            long double lat = 0, usd = 0;
            std::string source, account, label, ps, provider;
        };
        std::map<std::string, acc> by;
        for (const auto* e : today)
        {
            auto& a = by[e->auth_index.empty() ? "-" : e->auth_index];
            a.calls++, a.fails += e->failed, a.tokens += e->total, a.usd += e->usd;
            if (e->latency && *e->latency > 0)
                a.lat_n++, a.lat += *e->latency;
            a.source = std::max(a.source, e->source), a.account = std::max(a.account, e->account);
            a.label = std::max(a.label, e->label), a.ps = std::max(a.ps, e->provider_snapshot);
            a.provider = std::max(a.provider, e->provider);
        }
        struct row
        {
            std::string id;
            acc a;
            int severity;
        };
        std::vector<row> rows;
        for (auto& [id, a] : by)
        {
            auto tone =
                analytics::channel_tone(ratio(a.calls - a.fails, a.calls), a.fails, avg(a.lat, a.lat_n));
            rows.push_back({id, a, analytics::tone_severity(tone)});
        }
        std::sort(
            rows.begin(),
            rows.end(),
            [](auto& x, auto& y)
            {
                if (x.severity != y.severity)
                    return x.severity > y.severity;
                if (x.a.fails != y.a.fails)
                    return x.a.fails > y.a.fails;
                return x.a.calls != y.a.calls ? x.a.calls > y.a.calls : x.id < y.id;
            }
        );
        rows.resize(std::min<std::size_t>(rows.size(), 5));
        REQUIRE(got.channel_health.size() == rows.size());
        for (std::size_t i = 0; i < rows.size(); ++i)
        {
            const auto& c = got.channel_health[i];
            const auto& a = rows[i].a;
            CHECK(c.auth_index == rows[i].id);
            CHECK(c.calls == a.calls);
            CHECK(c.failures == a.fails);
            CHECK(c.tokens == a.tokens);
            CHECK(c.average_latency_ms == avg(a.lat, a.lat_n));
            check_cost(c.cost, a.usd);
            CHECK(c.source == a.source);
            CHECK(c.account_snapshot == a.account);
            CHECK(c.auth_provider_snapshot == (a.ps.empty() ? a.provider : a.ps));
        }
    }
    // failure sources
    {
        struct acc
        {
            std::int64_t calls = 0, fails = 0, last = 0, lat_n = 0;
            long double lat = 0;
            std::string source;
        };
        std::map<std::pair<std::string, std::string>, acc> by;
        for (const auto* e : today)
        {
            auto& a = by[{e->source_hash, e->auth_index}];
            a.calls++, a.fails += e->failed, a.last = std::max(a.last, e->ts_ns / 1'000'000);
            if (e->latency && *e->latency > 0)
                a.lat_n++, a.lat += *e->latency;
            a.source = std::max(a.source, e->source);
        }
        std::vector<std::pair<std::pair<std::string, std::string>, acc>> rows;
        for (auto& kv : by)
            if (kv.second.fails > 0)
                rows.push_back(kv);
        std::sort(
            rows.begin(),
            rows.end(),
            [](auto& x, auto& y)
            {
                if (x.second.fails != y.second.fails)
                    return x.second.fails > y.second.fails;
                if (x.second.last != y.second.last)
                    return x.second.last > y.second.last;
                return x.first < y.first;
            }
        );
        rows.resize(std::min<std::size_t>(rows.size(), 5));
        REQUIRE(got.failure_sources.size() == rows.size());
        for (std::size_t i = 0; i < rows.size(); ++i)
        {
            const auto& f = got.failure_sources[i];
            const auto& a = rows[i].second;
            CHECK(f.source_hash == rows[i].first.first);
            CHECK(f.auth_index == rows[i].first.second);
            CHECK(f.calls == a.calls);
            CHECK(f.failures == a.fails);
            CHECK(f.last_seen_ms == a.last);
            CHECK(f.average_latency_ms == avg(a.lat, a.lat_n));
            CHECK(f.source == a.source);
            CHECK(f.tone == std::string(analytics::failure_source_tone(ratio(a.fails, a.calls), a.fails)));
        }
    }
    // recent failures
    {
        std::vector<const raw_event*> fails;
        for (const auto* e : today)
            if (e->failed)
                fails.push_back(e);
        std::sort(
            fails.begin(),
            fails.end(),
            [](auto* a, auto* b) { return a->ts_ns != b->ts_ns ? a->ts_ns > b->ts_ns : a->id > b->id; }
        );
        fails.resize(std::min<std::size_t>(fails.size(), static_cast<std::size_t>(p.recent_failures)));
        REQUIRE(got.recent_failures.size() == fails.size());
        for (std::size_t i = 0; i < fails.size(); ++i)
        {
            const auto& f = got.recent_failures[i];
            CHECK(f.id == fails[i]->id);
            CHECK(f.timestamp_ms == fails[i]->ts_ns / 1'000'000);
            CHECK(f.model == fails[i]->model);
            CHECK(f.api_key_hash == fails[i]->api_key_hash);
            auto it = aliases.find(fails[i]->api_key_hash);
            CHECK(f.api_key_alias == (it == aliases.end() ? std::string() : it->second));
            CHECK(f.duration_ms == fails[i]->latency);
            CHECK(f.fail_status_code.has_value());
        }
    }
}

} // namespace

TEST_CASE("dashboard summary equals the raw-event oracle for random windows", "[dashboard]")
{
    const int events = test::sanitized_build ? 3000 : 6000;
    const auto seed = std::random_device{}();
    CAPTURE(seed);
    std::mt19937_64 rng(seed);
    test::temp_dir dir;
    // Nothing is projected until half of the windows ran (raw only), then every hour is.
    store::event_writer writer(dir / "usage.sqlite", {.projection_delay = std::chrono::hours(24)});
    auto reader = store::open_reader(dir / "usage.sqlite");
    auto records = test::analytics_test_prices();
    test::run_writer_task(writer, [&](store::connection& c) { store::replace_price_records(c, records); });
    {
        std::vector<usage::event> batch;
        for (int i = 0; i < events; ++i)
        {
            batch.push_back(random_event(rng, i));
            if (batch.size() == 1000 || i + 1 == events)
                writer.submit(std::exchange(batch, {}), {}, {});
        }
        writer.drain();
    }
    // Aliases for some keys (kind 17: api_key_hash).
    std::map<std::string, std::string> aliases;
    {
        auto s = reader.prepare("SELECT value FROM dim WHERE kind = 17 ORDER BY value LIMIT 2");
        int n = 0;
        while (s.step())
            aliases[std::string(s.text(0))] = fmt::format("team-{}", n++);
    }
    test::run_writer_task(
        writer,
        [&](store::connection& c)
        {
            for (const auto& [hash, alias] : aliases)
                c.prepare(
                     "INSERT INTO api_key_aliases (api_key_hash, alias, updated_at_ms) VALUES (?1, ?2, 1)"
                )
                    .bind(1, std::string_view(hash))
                    .bind(2, std::string_view(alias))
                    .step();
        }
    );
    pricing::price_table table;
    for (const auto& [id, rec] : records)
        table.prices.emplace(id, rec.price);
    auto all = read_all(reader, table);
    REQUIRE(all.size() == static_cast<std::size_t>(events));

    const std::int64_t offsets_min[] = {0, 30, -30, 45, -45, 330, 345, -180, 15, 7};
    for (int i = 0; i < 60; ++i)
    {
        if (i == 30)
            test::project_every_hour(writer);
        analytics::dashboard_params p;
        p.today_start_ms = day0_ms + offsets_min[rng() % std::size(offsets_min)] * 60'000;
        switch (rng() % 4)
        {
        case 0:
            p.now_ms = p.today_start_ms; // empty window
            break;
        case 1:
            p.now_ms = p.today_start_ms + static_cast<std::int64_t>(rng() % (2 * ms_per_hour));
            break;
        default:
            p.now_ms = p.today_start_ms + static_cast<std::int64_t>(rng() % (30 * ms_per_hour));
        }
        p.top_models = 1 + static_cast<int>(rng() % 6);
        p.recent_failures = 1 + static_cast<int>(rng() % 8);
        INFO("window [" << p.today_start_ms << ", " << p.now_ms << ") top " << p.top_models);
        auto got = analytics::summarize_dashboard(reader, p);
        check_against_oracle(got, all, p, aliases);
    }
}

TEST_CASE("dashboard rules: tones and token mix", "[dashboard]")
{
    using namespace cpamd::analytics;
    CHECK(std::string(health_cell_tone(10, 0.5, true)) == "future");
    CHECK(std::string(health_cell_tone(0, 0, false)) == "empty");
    CHECK(std::string(health_cell_tone(10, 0.1, false)) == "bad");
    CHECK(std::string(health_cell_tone(100, 0.01, false)) == "warn");
    CHECK(std::string(health_cell_tone(100, 0, false)) == "good");
    CHECK(std::string(channel_tone(0.84, 0, std::nullopt)) == "bad");
    CHECK(std::string(channel_tone(0.99, 5, std::nullopt)) == "bad");
    CHECK(std::string(channel_tone(1, 0, 30'000.0)) == "bad");
    CHECK(std::string(channel_tone(0.94, 0, std::nullopt)) == "warn");
    CHECK(std::string(channel_tone(0.99, 1, std::nullopt)) == "warn");
    CHECK(std::string(channel_tone(1, 0, 15'000.0)) == "warn");
    CHECK(std::string(channel_tone(1, 0, 14'999.0)) == "good");
    CHECK(std::string(failure_source_tone(0.5, 1)) == "bad");
    CHECK(std::string(failure_source_tone(0.1, 5)) == "bad");
    CHECK(std::string(failure_source_tone(0.49, 4)) == "warn");
    // input 1000 (300 of it cached), output 500 with 200 reasoning inside, total 1500: the
    // 200 overflow comes off output.
    dashboard_today t;
    t.input_tokens = 1000, t.cache_read_tokens = 300, t.output_tokens = 500, t.reasoning_tokens = 200;
    t.total_tokens = 1500;
    auto mix = token_mix(t);
    CHECK(mix[0].key == "input");
    CHECK(mix[0].tokens == 700);
    CHECK(mix[1].tokens == 300);
    CHECK(mix[2].tokens == 300);
    CHECK(mix[3].tokens == 200);
    CHECK(mix[2].share == 0.2);
    // An overflow larger than output comes off input next.
    t.output_tokens = 100, t.total_tokens = 900;
    mix = token_mix(t);
    CHECK(mix[2].tokens == 0);
    CHECK(mix[0].tokens == 700 - 300);
}
