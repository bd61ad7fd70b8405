// evaluate_rules against a real store: hand-made events written with the real parser and writer
// (prices in the price table), read into a usage_window by rebuild() as the engine does, then each
// rule kind checked for which subjects hold: per credential failure rates, per model latency,
// budgets per API key (hash prefix and alias) and per model, the storage, collector and no-event
// rules from the daemon's facts, disabled rules and a window that is not ready yet.

#include <algorithm>
#include <catch2/catch.hpp>
#include <cpamd/alerts/rule_eval.hpp>
#include <cpamd/alerts/usage_window.hpp>
#include <cpamd/pricing/cost.hpp>
#include <cpamd/store/database.hpp>
#include <cpamd/store/dims.hpp>
#include <cpamd/store/price_repository.hpp>
#include <cpamd/test/temp_store.hpp>
#include <cpamd/usage/parse_record.hpp>
#include <cpamd/usage/timestamp.hpp>
#include <cstdint>
#include <fmt/format.h>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace
{

using namespace cpamd;
using alerts::budget_period;
using alerts::rule;
using alerts::rule_kind;
using alerts::usage_window;

constexpr std::int64_t ns_per_ms = 1'000'000;
constexpr std::int64_t ms_per_minute = 60'000;
constexpr std::int64_t now_ms = 1'780'000'000'000; // 2026-05-28
constexpr double mib = 1024.0 * 1024.0;

constexpr const char* model_a = "gpt-5.4";
constexpr const char* model_b = "claude-sonnet-4-5";

pricing::price_records fixed_prices()
{
    auto record = [](double prompt, double completion)
    {
        pricing::price_record rec;
        rec.price.rates.prompt = {prompt, true};
        rec.price.rates.completion = {completion, true};
        rec.source = "manual";
        return rec;
    };
    pricing::price_records out;
    out[model_a] = record(10, 30);
    out[model_b] = record(3, 15);
    return out;
}

pricing::price_table table_of(const pricing::price_records& records)
{
    pricing::price_table t;
    for (const auto& [id, rec] : records)
        t.prices.emplace(id, rec.price);
    return t;
}

// The cost of one event straight from libs/pricing (as usage_window_test computes it).
double oracle_usd(const pricing::price_table& prices, const usage::event& ev)
{
    pricing::request_usage req;
    req.models = {
        ev.response_model.empty() ? ev.resolved_model : ev.response_model, ev.model, ev.requested_model};
    req.service_tier = ev.service_tier;
    const auto& c = ev.cost;
    req.normalized_input = c.input_uncached + c.cache_read + c.cache_write;
    req.tokens = {req.normalized_input, 0, c.cache_read, c.cache_write, c.output, c.reasoning};
    return pricing::request_cost(prices, req).usd;
}

struct event_spec
{
    std::int64_t ts_ms = now_ms - ms_per_minute;
    const char* model = model_a;
    int credential = -1; // -1: none
    int key = -1;        // -1: none
    bool failed = false;
    std::optional<std::int64_t> latency_ms;
    std::int64_t input = 1000, output = 500;
};

std::string auth_index(int credential)
{
    return fmt::format("{:016x}", 0xa1e00 + credential);
}

// Builds parsed events with distinct timestamps and request ids.
class event_maker
{
public:
    usage::event make(const event_spec& s)
    {
        const std::int64_t ts_ns = s.ts_ms * ns_per_ms + (++number_); // distinct
        std::string extra;
        if (s.latency_ms)
            extra += fmt::format(R"("latency_ms":{},)", *s.latency_ms);
        if (s.credential >= 0)
            extra += fmt::format(R"("auth_index":"{}",)", auth_index(s.credential));
        if (s.key >= 0)
            extra += fmt::format(R"("api_key":"sk-rule-eval-{}-0123456789",)", s.key);
        if (s.failed)
            extra += R"("fail":{"status_code":503,"body":"upstream said no"},)";
        const auto secs = ts_ns / 1'000'000'000, nanos = ts_ns % 1'000'000'000;
        const auto json = fmt::format(
            R"({{"timestamp":"{}",{}"provider":"{}","model":"{}","endpoint":"POST /v1/responses",)"
            R"("auth_type":"oauth","tokens":{{"input_tokens":{},"output_tokens":{},"reasoning_tokens":0,)"
            R"("cached_tokens":0,"cache_read_tokens":0,"total_tokens":{}}},"failed":{},"request_id":"{:08x}"}})",
            usage::format_rfc3339nano({secs, static_cast<std::int32_t>(nanos)}),
            extra,
            std::string_view(s.model) == model_a ? "codex" : "claude",
            s.model,
            s.input,
            s.output,
            s.input + s.output,
            s.failed ? "true" : "false",
            static_cast<std::uint32_t>(number_)
        );
        auto ev = usage::parse_record(std::string_view(json));
        if (!ev)
            throw std::runtime_error("record does not parse: " + ev.error().message());
        return std::move(*ev);
    }

private:
    std::uint32_t number_ = 0x1000;
};

// A store with prices, the events written, and a window rebuilt over them (day period read).
struct fixture
{
    test::temp_store ts;
    pricing::price_table prices;
    event_maker maker;
    std::optional<store::connection> db;
    usage_window window;

    fixture()
    {
        const auto records = fixed_prices();
        ts.db->write_sync(
            [&](store::connection& c)
            {
                store::transaction tx(c);
                store::replace_price_records(c, records);
                tx.commit();
            }
        );
        prices = table_of(records);
    }

    // Writes the events; returns each one's cost.
    std::vector<double> write(const std::vector<event_spec>& specs)
    {
        std::vector<usage::event> evs;
        std::vector<double> usd;
        for (const auto& s : specs)
        {
            evs.push_back(maker.make(s));
            usd.push_back(oracle_usd(prices, evs.back()));
        }
        ts.write(std::move(evs));
        return usd;
    }

    void alias(const std::string& hash, const std::string& name)
    {
        ts.db->write_sync(
            [&](store::connection& c)
            {
                auto s = c.prepare(
                    "INSERT INTO api_key_aliases (api_key_hash, alias, updated_at_ms) VALUES (?1, ?2, ?3)"
                );
                s.bind(1, hash).bind(2, name).bind(3, now_ms);
                s.step();
            }
        );
    }

    // Opens the reader and rebuilds the window (60 minutes, the day from an hour ago).
    void rebuild()
    {
        db.emplace(store::open_reader(ts.db->path()));
        usage_window::shape shape;
        shape.minutes = 60;
        shape.period_start[static_cast<std::size_t>(budget_period::day)] = now_ms - 60 * ms_per_minute;
        int steps = 0;
        while (!window.rebuild(*db, shape, now_ms))
            REQUIRE(++steps < 10'000);
        REQUIRE(window.ready());
    }

    std::vector<alerts::rule_result> evaluate(const std::vector<rule>& rules, const alerts::daemon_facts& f)
    {
        alerts::alerts_config config;
        config.rules = rules;
        auto out = alerts::evaluate_rules(config, window, *db, f);
        // The sources point into `config`: clear them before it goes away.
        for (auto& r : out)
            r.source = nullptr;
        return out;
    }

    std::vector<alerts::rule_result> evaluate(const std::vector<rule>& rules)
    {
        alerts::daemon_facts f;
        f.now_ms = now_ms;
        return evaluate(rules, f);
    }
};

rule make_rule(std::string id, rule_kind kind)
{
    rule r;
    r.id = std::move(id);
    r.kind = kind;
    return r;
}

// The one result of a single rule; it must have been evaluated.
alerts::rule_result only(std::vector<alerts::rule_result> results)
{
    REQUIRE(results.size() == 1);
    CHECK(results[0].evaluated);
    return std::move(results[0]);
}

std::vector<std::string> subjects(const alerts::rule_result& r)
{
    std::vector<std::string> out;
    for (const auto& c : r.holding)
        out.push_back(c.subject);
    return out;
}

std::string key_hash(store::connection& db, int key)
{
    // The hash the parser stored for key `key` (the key dim's value).
    event_maker m;
    event_spec s;
    s.key = key;
    const auto ev = m.make(s);
    REQUIRE(ev.api_key_hash.size() > 12);
    auto q = db.prepare("SELECT COUNT(*) FROM dim WHERE kind = ?1 AND value = ?2");
    q.bind(1, static_cast<std::int64_t>(store::dim_kind::api_key_hash)).bind(2, ev.api_key_hash);
    REQUIRE(q.step());
    REQUIRE(q.int64(0) == 1);
    return ev.api_key_hash;
}

} // namespace

TEST_CASE("failure_rate per credential, named credential and minRequests", "[alerts][rule_eval]")
{
    fixture fx;
    std::vector<event_spec> specs;
    // Credential 0: 10 requests, 6 failed (60 %). Credential 1: 10 requests, 1 failed (10 %).
    for (int i = 0; i < 10; ++i)
    {
        specs.push_back({.ts_ms = now_ms - (i + 1) * ms_per_minute, .credential = 0, .failed = i < 6});
        specs.push_back({.ts_ms = now_ms - (i + 1) * ms_per_minute, .credential = 1, .failed = i < 1});
    }
    fx.write(specs);
    fx.rebuild();

    auto r = make_rule("fr", rule_kind::failure_rate);
    r.scope = "credential";
    r.threshold = 0.3;
    r.window_minutes = 15;
    r.min_requests = 10;

    SECTION("each credential apart: only the failing one holds")
    {
        const auto res = only(fx.evaluate({r}));
        REQUIRE(res.holding.size() == 1);
        const auto& c = res.holding[0];
        CHECK(c.subject == auth_index(0));
        CHECK(c.level == "critical");
        CHECK(c.value == Approx(0.6));
        CHECK(c.threshold == Approx(0.3));
        CHECK(c.message.find("credential " + auth_index(0)) != std::string::npos);
        CHECK(c.message.find("6 of 10") != std::string::npos);
    }
    SECTION("the failing credential named: it holds")
    {
        r.match = auth_index(0);
        const auto res = only(fx.evaluate({r}));
        CHECK(subjects(res) == std::vector<std::string>{auth_index(0)});
    }
    SECTION("the other credential named: nothing holds")
    {
        r.match = auth_index(1);
        const auto res = only(fx.evaluate({r}));
        CHECK(res.holding.empty());
    }
    SECTION("scope all with a credential named reads that credential alone")
    {
        r.scope = "all";
        r.match = auth_index(0);
        const auto res = only(fx.evaluate({r}));
        CHECK(subjects(res) == std::vector<std::string>{auth_index(0)});
    }
    SECTION("minRequests not reached: nothing holds")
    {
        r.min_requests = 11;
        const auto res = only(fx.evaluate({r}));
        CHECK(res.holding.empty());
    }
    SECTION("a window shorter than the events: fewer requests than minRequests")
    {
        r.window_minutes = 5; // 5 requests of credential 0 in it (minutes -1 .. -5)
        const auto res = only(fx.evaluate({r}));
        CHECK(res.holding.empty());
    }
}

TEST_CASE("latency_p95 of one model", "[alerts][rule_eval]")
{
    fixture fx;
    std::vector<event_spec> specs;
    for (int i = 0; i < 12; ++i)
    {
        specs.push_back(
            {.ts_ms = now_ms - (i % 5 + 1) * ms_per_minute, .model = model_a, .latency_ms = 20'000}
        );
        specs.push_back({.ts_ms = now_ms - (i % 5 + 1) * ms_per_minute, .model = model_b, .latency_ms = 100});
    }
    fx.write(specs);
    fx.rebuild();

    auto r = make_rule("slow", rule_kind::latency_p95);
    r.threshold = 10'000;
    r.window_minutes = 15;
    r.min_requests = 10;

    SECTION("the slow model holds")
    {
        r.match = model_a;
        const auto res = only(fx.evaluate({r}));
        REQUIRE(res.holding.size() == 1);
        const auto& c = res.holding[0];
        CHECK(c.subject == model_a);
        CHECK(c.level == "critical");
        CHECK(c.value >= 10'000);
        CHECK(c.value == Approx(20'000).epsilon(0.04));
        CHECK(c.threshold == 10'000);
        CHECK(c.message.find("(12 requests)") != std::string::npos);
    }
    SECTION("the fast model does not")
    {
        r.match = model_b;
        const auto res = only(fx.evaluate({r}));
        CHECK(res.holding.empty());
    }
    SECTION("the fast model holds under a threshold below its latency")
    {
        r.match = model_b;
        r.threshold = 50;
        const auto res = only(fx.evaluate({r}));
        REQUIRE(res.holding.size() == 1);
        CHECK(res.holding[0].subject == model_b);
        CHECK(res.holding[0].value == Approx(100).epsilon(0.04));
    }
    SECTION("the slow model with more than its requests required: nothing holds")
    {
        r.match = model_a;
        r.min_requests = 13;
        const auto res = only(fx.evaluate({r}));
        CHECK(res.holding.empty());
    }
    SECTION("an unknown model: nothing holds, no exception")
    {
        r.match = "no-such-model";
        std::vector<alerts::rule_result> results;
        REQUIRE_NOTHROW(results = fx.evaluate({r}));
        const auto res = only(results);
        CHECK(res.holding.empty());
    }
}

TEST_CASE("budget per API key and per model", "[alerts][rule_eval]")
{
    fixture fx;
    std::vector<event_spec> specs;
    for (int i = 0; i < 4; ++i)
    {
        specs.push_back(
            {.ts_ms = now_ms - (i + 1) * ms_per_minute, .model = model_a, .key = 0, .input = 100'000}
        );
        specs.push_back(
            {.ts_ms = now_ms - (i + 1) * ms_per_minute, .model = model_b, .key = 1, .input = 50'000}
        );
    }
    // Before the day's start: not counted.
    specs.push_back({.ts_ms = now_ms - 120 * ms_per_minute, .model = model_a, .key = 0, .input = 900'000});
    const auto usd = fx.write(specs);
    double spend0 = 0, spend1 = 0;
    for (std::size_t i = 0; i + 1 < usd.size(); ++i)
        (i % 2 == 0 ? spend0 : spend1) += usd[i];
    REQUIRE(spend0 > 0);
    REQUIRE(spend1 > 0);
    REQUIRE(spend0 != Approx(spend1));

    fx.rebuild();
    const auto hash0 = key_hash(*fx.db, 0);
    const auto hash1 = key_hash(*fx.db, 1);
    fx.alias(hash1, "team-b");
    const auto subject0 = hash0.substr(0, 12);
    const auto subject1 = hash1.substr(0, 12) + " (team-b)";

    auto r = make_rule("budget", rule_kind::budget);
    r.period = "day";
    r.scope = "api_key";
    r.warn_percent = 80;

    SECTION("each key apart: both hold, with prefix and alias")
    {
        r.threshold = std::min(spend0, spend1) / 2; // both critical
        const auto res = only(fx.evaluate({r}));
        REQUIRE(res.holding.size() == 2);
        std::map<std::string, alerts::condition> by_subject;
        for (const auto& c : res.holding)
            by_subject[c.subject] = c;
        REQUIRE(by_subject.count(subject0));
        REQUIRE(by_subject.count(subject1));
        CHECK(by_subject[subject0].value == Approx(spend0));
        CHECK(by_subject[subject1].value == Approx(spend1));
        CHECK(by_subject[subject0].level == "critical");
        CHECK(by_subject[subject1].message.find("API key " + subject1) != std::string::npos);
    }
    SECTION("matched by the hash prefix: only that key")
    {
        r.match = hash0.substr(0, 12);
        r.threshold = spend0 / 0.9; // 90 %: warning
        const auto res = only(fx.evaluate({r}));
        REQUIRE(res.holding.size() == 1);
        const auto& c = res.holding[0];
        CHECK(c.subject == subject0);
        CHECK(c.level == "warning");
        CHECK(c.value == Approx(spend0));
        CHECK(c.threshold == Approx(spend0 / 0.9));
        CHECK(c.message.find("(90 %)") != std::string::npos);
    }
    SECTION("matched by the full hash: only that key")
    {
        r.match = hash0;
        r.threshold = spend0 / 2;
        const auto res = only(fx.evaluate({r}));
        CHECK(subjects(res) == std::vector<std::string>{subject0});
    }
    SECTION("matched by the alias: only that key, critical at 100 % and more")
    {
        r.match = "team-b";
        r.threshold = spend1 / 1.25; // 125 %
        const auto res = only(fx.evaluate({r}));
        REQUIRE(res.holding.size() == 1);
        CHECK(res.holding[0].subject == subject1);
        CHECK(res.holding[0].level == "critical");
        CHECK(res.holding[0].value == Approx(spend1));
    }
    SECTION("below warnPercent: nothing holds")
    {
        r.match = "team-b";
        r.threshold = spend1 / 0.7; // 70 % < 80 %
        CHECK(only(fx.evaluate({r})).holding.empty());
        r.warn_percent = 60; // 70 % >= 60 %: warning
        const auto res = only(fx.evaluate({r}));
        REQUIRE(res.holding.size() == 1);
        CHECK(res.holding[0].level == "warning");
    }
    SECTION("a match naming no key: nothing holds")
    {
        r.match = "nobody";
        r.threshold = std::min(spend0, spend1) / 2;
        CHECK(only(fx.evaluate({r})).holding.empty());
    }
    SECTION("scope model, matched by name")
    {
        r.scope = "model";
        r.match = model_a;
        r.threshold = spend0 / 2;
        const auto res = only(fx.evaluate({r}));
        REQUIRE(res.holding.size() == 1);
        const auto& c = res.holding[0];
        CHECK(c.subject == model_a);
        CHECK(c.level == "critical");
        CHECK(c.value == Approx(spend0)); // model A is key 0's traffic
        CHECK(c.message.find(std::string("model ") + model_a) != std::string::npos);

        r.match = model_b;
        r.threshold = spend1 / 0.85;
        const auto res_b = only(fx.evaluate({r}));
        REQUIRE(res_b.holding.size() == 1);
        CHECK(res_b.holding[0].subject == model_b);
        CHECK(res_b.holding[0].level == "warning");
        CHECK(res_b.holding[0].value == Approx(spend1));
    }
    SECTION("scope all sums every key")
    {
        r.scope = "all";
        r.threshold = spend0 + spend1;
        const auto res = only(fx.evaluate({r}));
        REQUIRE(res.holding.size() == 1);
        CHECK(res.holding[0].subject == "all");
        CHECK(res.holding[0].value == Approx(spend0 + spend1));
    }
}

TEST_CASE("storage_size, collector_disconnected and no_events read the daemon's facts", "[alerts][rule_eval]")
{
    fixture fx;
    fx.rebuild(); // an empty store: the window is ready

    alerts::daemon_facts f;
    f.now_ms = now_ms;

    SECTION("storage_size: wal reads wal_bytes, database reads database_bytes")
    {
        auto wal = make_rule("wal", rule_kind::storage_size);
        wal.file = "wal";
        wal.threshold = 2; // MiB
        auto database = make_rule("database", rule_kind::storage_size);
        database.file = "database";
        database.threshold = 2;

        f.wal_bytes = static_cast<std::uint64_t>(3 * mib);
        f.database_bytes = static_cast<std::uint64_t>(1 * mib);
        auto res = fx.evaluate({wal, database}, f);
        REQUIRE(res.size() == 2);
        REQUIRE(res[0].holding.size() == 1);
        CHECK(res[0].holding[0].subject == "wal");
        CHECK(res[0].holding[0].value == Approx(3));
        CHECK(res[0].holding[0].threshold == 2);
        CHECK(res[1].holding.empty());

        f.wal_bytes = static_cast<std::uint64_t>(1 * mib);
        f.database_bytes = static_cast<std::uint64_t>(2 * mib); // exactly the threshold
        res = fx.evaluate({wal, database}, f);
        REQUIRE(res.size() == 2);
        CHECK(res[0].holding.empty());
        REQUIRE(res[1].holding.size() == 1);
        CHECK(res[1].holding[0].subject == "database");
        CHECK(res[1].holding[0].value == Approx(2));
    }
    SECTION("collector_disconnected")
    {
        auto r = make_rule("disc", rule_kind::collector_disconnected);
        r.minutes = 5;
        f.collector_enabled = true;
        f.disconnected_since_ms = now_ms - 6 * ms_per_minute;
        f.collector_error = "connection refused";
        {
            const auto res = only(fx.evaluate({r}, f));
            REQUIRE(res.holding.size() == 1);
            CHECK(res.holding[0].subject == "collector");
            CHECK(res.holding[0].value == Approx(6));
            CHECK(res.holding[0].message.find("connection refused") != std::string::npos);
        }
        // Not long enough.
        f.disconnected_since_ms = now_ms - 4 * ms_per_minute;
        CHECK(only(fx.evaluate({r}, f)).holding.empty());
        // Connected.
        f.disconnected_since_ms = 0;
        CHECK(only(fx.evaluate({r}, f)).holding.empty());
        // Not enabled: never.
        f.collector_enabled = false;
        f.disconnected_since_ms = now_ms - 60 * ms_per_minute;
        CHECK(only(fx.evaluate({r}, f)).holding.empty());
    }
    SECTION("no_events")
    {
        auto r = make_rule("stalled", rule_kind::no_events);
        r.minutes = 30;
        f.watching_since_ms = now_ms - 120 * ms_per_minute;
        f.connected_since_ms = now_ms - 100 * ms_per_minute;
        f.last_inserted_ms = now_ms - 40 * ms_per_minute;
        {
            const auto res = only(fx.evaluate({r}, f));
            REQUIRE(res.holding.size() == 1);
            CHECK(res.holding[0].subject == "collector");
            CHECK(res.holding[0].value == Approx(40));
        }
        // Something inserted recently.
        f.last_inserted_ms = now_ms - 10 * ms_per_minute;
        CHECK(only(fx.evaluate({r}, f)).holding.empty());
        // Connected only lately: counted from the connection.
        f.last_inserted_ms = 0;
        f.connected_since_ms = now_ms - 10 * ms_per_minute;
        CHECK(only(fx.evaluate({r}, f)).holding.empty());
        // Not connected: never, however long the silence.
        f.connected_since_ms = 0;
        f.last_inserted_ms = 0;
        CHECK(only(fx.evaluate({r}, f)).holding.empty());
    }
}

TEST_CASE("disabled rules and a window not ready yet", "[alerts][rule_eval]")
{
    fixture fx;
    std::vector<event_spec> specs;
    for (int i = 0; i < 12; ++i)
        specs.push_back({.credential = 0, .key = 0, .failed = true, .latency_ms = 20'000});
    fx.write(specs);

    auto failures = make_rule("fr", rule_kind::failure_rate);
    failures.threshold = 0.2;
    auto consecutive = make_rule("relogin", rule_kind::consecutive_failures);
    consecutive.statuses = {503};
    consecutive.count = 3;
    auto slow = make_rule("slow", rule_kind::latency_p95);
    slow.threshold = 1000;
    auto budget = make_rule("budget", rule_kind::budget);
    budget.threshold = 0.000'001;
    auto stalled = make_rule("stalled", rule_kind::no_events);
    stalled.minutes = 1;
    auto disc = make_rule("disc", rule_kind::collector_disconnected);
    disc.minutes = 1;
    auto disk = make_rule("disk", rule_kind::storage_size);
    disk.threshold = 1;
    const std::vector<rule> rules = {failures, consecutive, slow, budget, stalled, disc, disk};

    alerts::daemon_facts f;
    f.now_ms = now_ms;
    f.collector_enabled = true;
    f.connected_since_ms = now_ms - 10 * ms_per_minute;
    f.disconnected_since_ms = 0;
    f.database_bytes = static_cast<std::uint64_t>(5 * mib);

    SECTION("before the window is read: usage rules not evaluated, the others are")
    {
        fx.db.emplace(store::open_reader(fx.ts.db->path()));
        REQUIRE_FALSE(fx.window.ready());
        const auto res = fx.evaluate(rules, f);
        REQUIRE(res.size() == rules.size());
        for (std::size_t i = 0; i < 4; ++i)
        {
            INFO("rule " << rules[i].id);
            CHECK_FALSE(res[i].evaluated);
            CHECK(res[i].holding.empty());
        }
        for (std::size_t i = 4; i < rules.size(); ++i)
        {
            INFO("rule " << rules[i].id);
            CHECK(res[i].evaluated);
        }
        CHECK(res[4].holding.size() == 1); // no_events: connected 10 min, nothing inserted
        CHECK(res[5].holding.empty());     // connected
        CHECK(res[6].holding.size() == 1); // 5 MiB >= 1 MiB
    }
    SECTION("once the window is read every usage rule is evaluated and holds")
    {
        fx.rebuild();
        const auto res = fx.evaluate(rules, f);
        REQUIRE(res.size() == rules.size());
        for (std::size_t i = 0; i < 4; ++i)
        {
            INFO("rule " << rules[i].id);
            CHECK(res[i].evaluated);
            CHECK(res[i].holding.size() == 1);
        }
    }
    SECTION("a disabled rule gives no result")
    {
        fx.rebuild();
        auto some = rules;
        some[0].enabled = false; // failure_rate
        some[6].enabled = false; // storage_size
        alerts::alerts_config config;
        config.rules = some;
        const auto res = alerts::evaluate_rules(config, fx.window, *fx.db, f);
        REQUIRE(res.size() == rules.size() - 2);
        std::vector<std::string> ids;
        for (const auto& r : res)
        {
            REQUIRE(r.source != nullptr);
            ids.push_back(r.source->id);
        }
        CHECK(ids == std::vector<std::string>{"relogin", "slow", "budget", "stalled", "disc"});
    }
}

TEST_CASE("budget per API key: requests without a key are a subject of their own", "[alerts][rule_eval]")
{
    fixture fx;
    const auto usd =
        fx.write({{.model = model_a, .input = 100'000}, {.model = model_a, .key = 0, .input = 100'000}});
    fx.rebuild();
    auto r = make_rule("budget", rule_kind::budget);
    r.period = "day";
    r.scope = "api_key";
    r.threshold = std::min(usd[0], usd[1]) / 2;
    const auto res = only(fx.evaluate({r}));
    REQUIRE(res.holding.size() == 2);
    std::set<std::string> subjects;
    for (const auto& c : res.holding)
        subjects.insert(c.subject);
    CHECK(subjects.count("(no key)") == 1);
    CHECK(subjects.count(key_hash(*fx.db, 0).substr(0, 12)) == 1);
}
