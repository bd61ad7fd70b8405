// usage_window against an oracle: random events written into a real store (real parser, real
// writer, prices in the price table), read back by rebuild() and fold_new(), and every figure the
// rules read (counts, latency quantiles, trailing failures, period spend) recomputed with plain
// loops from the events as generated. Several seeds; CPAMD_ALERTS_SEED=<n> adds another one.

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cpamd/alerts/usage_window.hpp>
#include <cpamd/core/floor_div.hpp>
#include <cpamd/pricing/cost.hpp>
#include <cpamd/store/database.hpp>
#include <cpamd/store/dims.hpp>
#include <cpamd/store/price_repository.hpp>
#include <cpamd/test/sanitizer.hpp>
#include <cpamd/test/temp_store.hpp>
#include <cpamd/usage/parse_record.hpp>
#include <cpamd/usage/timestamp.hpp>
#include <cstdint>
#include <cstdlib>
#include <fmt/format.h>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace
{

using namespace cpamd;
using alerts::budget_period;
using alerts::usage_window;

constexpr std::int64_t ns_per_ms = 1'000'000;
constexpr std::int64_t ms_per_minute = 60'000;
constexpr std::int64_t ms_per_day = 86'400'000;
constexpr std::int64_t base_now_ms = 1'780'000'000'000; // 2026-05-28

struct model_spec
{
    const char* provider;
    const char* name;
};

// Two priced models (random rates) and one without a price row (cost 0).
constexpr model_spec models[] = {
    {"codex", "gpt-5.4"},
    {"claude", "claude-sonnet-4-5"},
    {"codex", "mystery-model"},
};
constexpr int credential_count = 6; // 0: always fails, 1: mostly fails, the others now and then
constexpr int key_count = 4;
constexpr int statuses[] = {401, 403, 429, 503, 0}; // 0: a failure without a status

class rng_t
{
public:
    explicit rng_t(std::uint64_t seed) : gen_(seed) {}
    std::int64_t below(std::int64_t n)
    {
        return n <= 0 ? 0 : static_cast<std::int64_t>(gen_() % static_cast<std::uint64_t>(n));
    }
    std::int64_t between(std::int64_t lo, std::int64_t hi) { return lo + below(hi - lo + 1); }
    bool chance(double p) { return std::uniform_real_distribution<double>(0, 1)(gen_) < p; }
    double real(double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(gen_); }

private:
    std::mt19937_64 gen_;
};

// One generated event, as the oracle sees it.
struct gen_event
{
    std::int64_t ts_ns = 0;
    int model = 0;
    int credential = -1; // -1: none
    int key = -1;        // -1: none
    bool failed = false;
    int status = 0;
    std::optional<std::int64_t> latency_ms;
    usage::event ev; // as parsed
    double usd = 0;
    // Read back from the store.
    std::int64_t id = 0, model_dim = 0, credential_dim = 0, key_dim = 0;

    std::int64_t ts_ms() const { return ts_ns / ns_per_ms; }
    std::int64_t minute() const { return floor_div(ts_ms(), ms_per_minute); }
};

pricing::price_records random_prices(rng_t& rng)
{
    auto record = [&]
    {
        pricing::price_record rec;
        rec.price.rates.prompt = {rng.real(0.1, 20), true};
        rec.price.rates.completion = {rng.real(0.1, 60), true};
        if (rng.chance(0.5))
            rec.price.rates.cache_read = {rng.real(0.01, 2), true};
        rec.source = "manual";
        return rec;
    };
    pricing::price_records out;
    out["gpt-5.4"] = record();
    out["claude-sonnet-4-5"] = record();
    return out;
}

pricing::price_table table_of(const pricing::price_records& records)
{
    pricing::price_table t;
    for (const auto& [id, rec] : records)
        t.prices.emplace(id, rec.price);
    return t;
}

// The cost of one event straight from libs/pricing (its own band; no tiers here).
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

class generator
{
public:
    generator(rng_t& rng, const pricing::price_table& prices) : rng_(rng), prices_(prices) {}

    // An event at a time drawn from [from_ms, to_ms); `credential` -1 draws one.
    gen_event make(std::int64_t from_ms, std::int64_t to_ms, int credential = -2)
    {
        gen_event g;
        do
            g.ts_ns = from_ms * ns_per_ms + rng_.below((to_ms - from_ms) * ns_per_ms);
        while (!used_ts_.insert(g.ts_ns).second);
        g.model = static_cast<int>(rng_.below(std::size(models)));
        if (credential != -2)
            g.credential = credential;
        else if (rng_.chance(0.05))
            g.credential = -1;
        else
            g.credential = static_cast<int>(rng_.below(credential_count));
        g.key = rng_.chance(0.1) ? -1 : static_cast<int>(rng_.below(key_count));
        const double fail_p = g.credential == 0 ? 1.0 : g.credential == 1 ? 0.85 : 0.12;
        g.failed = rng_.chance(fail_p);
        if (g.failed)
            g.status = statuses[rng_.below(std::size(statuses))];
        switch (rng_.below(6))
        {
        case 0:
            break; // no latency
        case 1:
            g.latency_ms = 0;
            break;
        case 2:
            g.latency_ms = rng_.between(1, 20);
            break;
        default:
            g.latency_ms = rng_.chance(0.8) ? rng_.between(20, 8000) : rng_.between(8000, 120'000);
        }

        const auto& m = models[g.model];
        const std::int64_t input = rng_.chance(0.05) ? 0 : rng_.between(10, 60'000);
        const std::int64_t cached = rng_.chance(0.5) ? rng_.below(input / 2 + 1) : 0;
        const std::int64_t output = rng_.below(6000);
        const std::int64_t reasoning = rng_.below(output + 1);
        std::string extra;
        if (g.latency_ms)
            extra += fmt::format(R"("latency_ms":{},)", *g.latency_ms);
        if (g.credential >= 0)
            extra += fmt::format(R"("auth_index":"{:016x}",)", 0xa1e00 + g.credential);
        if (g.key >= 0)
            extra += fmt::format(R"("api_key":"sk-alerts-test-{}-0123456789",)", g.key);
        if (g.failed && g.status != 0)
            extra += fmt::format(R"("fail":{{"status_code":{},"body":"upstream said no"}},)", g.status);
        const auto secs = g.ts_ns / 1'000'000'000, nanos = g.ts_ns % 1'000'000'000;
        const auto json = fmt::format(
            R"({{"timestamp":"{}",{}"provider":"{}","model":"{}","endpoint":"POST /v1/responses",)"
            R"("auth_type":"oauth","tokens":{{"input_tokens":{},"output_tokens":{},"reasoning_tokens":{},)"
            R"("cached_tokens":{},"cache_read_tokens":{},"total_tokens":{}}},"failed":{},"request_id":"{:08x}"}})",
            usage::format_rfc3339nano({secs, static_cast<std::int32_t>(nanos)}),
            extra,
            m.provider,
            m.name,
            input,
            output,
            reasoning,
            cached,
            cached,
            input + output,
            g.failed ? "true" : "false",
            static_cast<std::uint32_t>(++number_)
        );
        auto ev = usage::parse_record(std::string_view(json));
        if (!ev)
            throw std::runtime_error("generated record does not parse: " + ev.error().message());
        g.ev = std::move(*ev);
        g.usd = oracle_usd(prices_, g.ev);
        return g;
    }

private:
    rng_t& rng_;
    const pricing::price_table& prices_;
    std::set<std::int64_t> used_ts_;
    std::uint32_t number_ = 0x1000;
};

void write(test::temp_store& ts, const std::vector<gen_event>& events)
{
    std::vector<usage::event> evs;
    for (const auto& g : events)
        evs.push_back(g.ev);
    ts.write(std::move(evs));
}

std::int64_t dim_id(store::connection& db, store::dim_kind kind, std::string_view value)
{
    if (value.empty())
        return 0;
    auto s = db.prepare("SELECT id FROM dim WHERE kind = ?1 AND value = ?2");
    s.bind(1, static_cast<std::int64_t>(kind)).bind(2, value);
    REQUIRE(s.step());
    return s.int64(0);
}

// Fills in each event's id and dimension ids from the store.
void read_back(store::connection& db, std::vector<gen_event>& events)
{
    std::map<std::int64_t, std::int64_t> id_of_ts;
    auto s = db.prepare("SELECT id, ts_ns FROM events");
    while (s.step())
        id_of_ts[s.int64(1)] = s.int64(0);
    for (auto& g : events)
    {
        auto it = id_of_ts.find(g.ts_ns);
        REQUIRE(it != id_of_ts.end());
        g.id = it->second;
        g.model_dim = dim_id(db, store::dim_kind::model, g.ev.model);
        g.credential_dim = dim_id(db, store::dim_kind::auth_index, g.ev.auth_index);
        g.key_dim = dim_id(db, store::dim_kind::api_key_hash, g.ev.api_key_hash);
        CHECK((g.credential_dim == 0) == (g.credential < 0));
        CHECK((g.key_dim == 0) == (g.key < 0));
    }
}

// ---- the oracle ----------------------------------------------------------------------------

using event_list = std::vector<const gen_event*>;

// Events whose minute is within [floor(now / 1 min) - minutes + 1, floor(now / 1 min)].
bool in_window(const gen_event& g, int minutes, std::int64_t now_ms)
{
    const std::int64_t now_minute = floor_div(now_ms, ms_per_minute);
    return g.minute() >= now_minute - minutes + 1 && g.minute() <= now_minute;
}

void check_counts(const usage_window& w, const event_list& all, int minutes, std::int64_t now_ms)
{
    INFO("counts over " << minutes << " min at " << now_ms);
    std::int64_t requests = 0, failures = 0;
    std::map<std::int64_t, std::pair<std::int64_t, std::int64_t>> by_credential;
    for (const auto* g : all)
        if (in_window(*g, minutes, now_ms))
        {
            ++requests;
            failures += g->failed;
            auto& c = by_credential[g->credential_dim];
            ++c.first;
            c.second += g->failed;
        }
    const auto got = w.counts(minutes, now_ms);
    CHECK(got.all.requests == requests);
    CHECK(got.all.failures == failures);
    std::map<std::int64_t, std::pair<std::int64_t, std::int64_t>> got_by_credential;
    for (const auto& [cred, c] : got.by_credential)
        got_by_credential[cred] = {c.requests, c.failures};
    CHECK(got_by_credential == by_credential);
}

void check_latency(
    const usage_window& w, const event_list& all, int minutes, std::int64_t now_ms, std::int64_t model_dim
)
{
    INFO("latency over " << minutes << " min at " << now_ms << ", model " << model_dim);
    store::dense_histogram want;
    std::vector<std::int64_t> raw;
    for (const auto* g : all)
        if (in_window(*g, minutes, now_ms) && g->latency_ms && (model_dim == 0 || g->model_dim == model_dim))
        {
            want.add(*g->latency_ms);
            raw.push_back(*g->latency_ms);
        }
    std::sort(raw.begin(), raw.end());
    const auto got = w.latency(minutes, now_ms, model_dim);
    REQUIRE(got.total() == raw.size());
    for (double q : {0.0, 0.25, 0.5, 0.95, 0.99, 1.0})
    {
        INFO("q " << q);
        const auto g = got.quantile(q);
        CHECK(g == want.quantile(q));
        if (raw.empty())
            continue;
        // Nearest rank of the raw latencies, within the 4 % buckets.
        REQUIRE(g);
        const auto rank = std::max<std::size_t>(
            1, static_cast<std::size_t>(std::ceil(q * static_cast<double>(raw.size())))
        );
        const auto v = static_cast<double>(raw[rank - 1]);
        CHECK(std::abs(*g - v) <= 0.04 * v);
    }
}

// Each credential's failed statuses after its last success, in `order`; at most 100.
std::map<std::int64_t, std::vector<int>> trailing_of(const event_list& order)
{
    std::map<std::int64_t, std::vector<int>> out;
    for (const auto* g : order)
    {
        if (!g->failed)
        {
            out.erase(g->credential_dim);
            continue;
        }
        auto& t = out[g->credential_dim];
        t.push_back(g->status);
        if (t.size() > usage_window::max_trailing)
            t.erase(t.begin());
    }
    return out;
}

bool close(double a, double b)
{
    return std::abs(a - b) <= 1e-9 * std::max({1.0, std::abs(a), std::abs(b)});
}

void check_spend(
    const usage_window& w, const event_list& all, budget_period p, std::optional<std::int64_t> start
)
{
    INFO("period " << static_cast<int>(p) << " from " << (start ? std::to_string(*start) : "none"));
    const auto got = w.period_spend(p);
    if (!start)
    {
        CHECK(got.all == 0);
        CHECK(got.by_api_key.empty());
        CHECK(got.by_model.empty());
        return;
    }
    double all_usd = 0;
    std::map<std::int64_t, double> by_key, by_model;
    for (const auto* g : all)
        if (g->ts_ms() >= *start)
        {
            all_usd += g->usd;
            by_key[g->key_dim] += g->usd;
            by_model[g->model_dim] += g->usd;
        }
    CHECK(close(got.all, all_usd));
    auto same = [](const std::map<std::int64_t, double>& a, const std::map<std::int64_t, double>& b)
    {
        if (a.size() != b.size())
            return false;
        for (const auto& [k, v] : a)
        {
            auto it = b.find(k);
            if (it == b.end() || !close(v, it->second))
                return false;
        }
        return true;
    };
    CHECK(same(got.by_api_key, by_key));
    CHECK(same(got.by_model, by_model));
}

// The minute spans worth asking about for a window of `minutes`.
std::vector<int> spans(rng_t& rng, int minutes)
{
    std::set<int> out{1, std::min(2, minutes), std::max(1, minutes / 2), minutes};
    out.insert(static_cast<int>(rng.between(1, minutes)));
    return {out.begin(), out.end()};
}

void check_everything(
    const usage_window& w,
    rng_t& rng,
    const event_list& all,
    const event_list& read_order,
    const usage_window::shape& shape,
    std::int64_t now_ms,
    const std::set<std::int64_t>& model_dims
)
{
    for (int m : spans(rng, shape.minutes))
    {
        check_counts(w, all, m, now_ms);
        check_latency(w, all, m, now_ms, 0);
        for (auto model : model_dims)
            check_latency(w, all, m, now_ms, model);
        check_latency(w, all, m, now_ms, 999'999); // a model never seen: empty
    }
    CHECK(w.trailing_failures() == trailing_of(read_order));
    for (std::size_t p = 0; p < alerts::budget_period_count; ++p)
        check_spend(w, all, static_cast<budget_period>(p), shape.period_start[p]);
    std::int64_t newest = 0;
    for (const auto* g : read_order)
        newest = std::max(newest, g->ts_ms());
    CHECK(w.newest_event_ms() == newest);
}

void run_seed(std::uint64_t seed)
{
    CAPTURE(seed);
    rng_t rng(seed);
    const std::int64_t now_ms = base_now_ms + rng.below(ms_per_day);
    const int scale = test::sanitized_build ? 2 : 1;

    test::temp_store ts;
    const auto records = random_prices(rng);
    ts.db->write_sync(
        [&](store::connection& c)
        {
            store::transaction tx(c);
            store::replace_price_records(c, records);
            tx.commit();
        }
    );
    const auto prices = table_of(records);
    generator gen(rng, prices);

    // The stored events: most in the last minutes and hours, the rest over 40 days, a few ahead.
    auto make_events = [&](std::int64_t now, int n, double cred0_share)
    {
        std::vector<gen_event> out;
        for (int i = 0; i < n; ++i)
        {
            const int cred = rng.chance(cred0_share) ? 0 : -2;
            const auto pick = rng.below(10);
            if (pick < 3)
                out.push_back(gen.make(now - 3 * ms_per_minute, now + 5 * ms_per_minute, cred));
            else if (pick < 6)
                out.push_back(gen.make(now - 150 * ms_per_minute, now, cred));
            else
                out.push_back(gen.make(now - 40 * ms_per_day, now, cred));
        }
        return out;
    };
    std::vector<gen_event> initial = make_events(now_ms, 2400 / scale, 0.1);

    // The shape: 1..120 minutes, each period unread or starting at a random instant (now and
    // then exactly at an event's time, so the boundary is met).
    usage_window::shape shape;
    shape.minutes = static_cast<int>(rng.between(1, 120));
    for (auto& start : shape.period_start)
    {
        const auto pick = rng.below(10);
        if (pick < 3)
            start = std::nullopt;
        else if (pick < 5)
            start =
                initial[static_cast<std::size_t>(rng.below(static_cast<std::int64_t>(initial.size())))].ts_ms(
                );
        else
            start = now_ms - rng.below(35 * ms_per_day);
    }
    INFO("minutes " << shape.minutes);
    // Written in a few batches (several transactions).
    for (std::size_t from = 0; from < initial.size(); from += 500)
        write(
            ts,
            {initial.begin() + static_cast<std::ptrdiff_t>(from),
             initial.begin() + static_cast<std::ptrdiff_t>(std::min(initial.size(), from + 500))}
        );

    auto db = store::open_reader(ts.db->path());
    usage_window w;
    CHECK_FALSE(w.ready());
    CHECK(w.fold_new(db, now_ms, 1000) == 0); // nothing is read before a rebuild

    // The first step never finishes (it reads one hour); events stored meanwhile are left to
    // fold_new().
    REQUIRE_FALSE(w.rebuild(db, shape, now_ms));
    CHECK_FALSE(w.ready());
    std::vector<gen_event> during = make_events(now_ms, 200 / scale, 0.3);
    write(ts, during);
    int steps = 1;
    while (!w.rebuild(db, shape, now_ms))
        REQUIRE(++steps < 100'000);
    CHECK(w.ready());
    for (std::size_t p = 0; p < alerts::budget_period_count; ++p)
        CHECK(w.period_start(static_cast<budget_period>(p)) == shape.period_start[p]);

    read_back(db, initial);
    read_back(db, during);
    std::set<std::int64_t> model_dims;
    for (const auto& g : initial)
        model_dims.insert(g.model_dim);

    // What the rebuild read: the events of the longest window, in time order (the budget periods'
    // spend so far comes from the analytics, checked against every event below).
    const std::int64_t from_ms = now_ms - std::int64_t{shape.minutes} * ms_per_minute;
    event_list all, read_order;
    for (const auto& g : initial)
    {
        all.push_back(&g);
        if (g.ts_ns >= from_ms * ns_per_ms)
            read_order.push_back(&g);
    }
    std::sort(read_order.begin(), read_order.end(), [](auto* a, auto* b) { return a->ts_ns < b->ts_ns; });
    {
        INFO("after the rebuild");
        check_everything(w, rng, all, read_order, shape, now_ms, model_dims);
    }

    // Later: more events, some long past; fold_new() reads exactly the ones stored since (and
    // those stored during the rebuild), in id order.
    const std::int64_t later_ms = now_ms + rng.below(10 * ms_per_minute);
    std::vector<gen_event> more = make_events(later_ms, 500 / scale, 0.4);
    write(ts, more);
    read_back(db, more);
    std::size_t folded = 0;
    for (int i = 0; i < 100'000; ++i)
    {
        const auto n = w.fold_new(db, later_ms, static_cast<std::size_t>(rng.between(1, 300)));
        if (n == 0)
            break;
        folded += n;
    }
    CHECK(folded == during.size() + more.size());
    CHECK(w.fold_new(db, later_ms, 1000) == 0);

    event_list fresh;
    for (const auto* list : {&during, &more})
        for (const auto& g : *list)
        {
            all.push_back(&g);
            fresh.push_back(&g);
        }
    std::sort(fresh.begin(), fresh.end(), [](auto* a, auto* b) { return a->id < b->id; });
    std::int64_t initial_max_id = 0;
    for (const auto& g : initial)
        initial_max_id = std::max(initial_max_id, g.id);
    REQUIRE(fresh.front()->id > initial_max_id);
    read_order.insert(read_order.end(), fresh.begin(), fresh.end());
    for (const auto& g : more)
        model_dims.insert(g.model_dim);
    {
        INFO("after fold_new");
        check_everything(w, rng, all, read_order, shape, later_ms, model_dims);
    }

    // The run of failures of credential 0 outgrew the cap.
    const auto trailing = w.trailing_failures();
    auto cred0 = dim_id(db, store::dim_kind::auth_index, fmt::format("{:016x}", 0xa1e00));
    if (!test::sanitized_build)
    {
        REQUIRE(trailing.count(cred0));
        CHECK(trailing.at(cred0).size() == usage_window::max_trailing);
    }

    // A period moves on: its spend starts from zero, then counts what is folded after.
    w.roll_period(budget_period::day, later_ms);
    CHECK(w.period_start(budget_period::day) == later_ms);
    CHECK(w.period_spend(budget_period::day).all == 0);
    CHECK(w.period_spend(budget_period::day).by_model.empty());
    std::vector<gen_event> last = {
        gen.make(later_ms, later_ms + ms_per_minute), gen.make(later_ms, later_ms + 1)};
    write(ts, last);
    read_back(db, last);
    CHECK(w.fold_new(db, later_ms, 10) == 2);
    CHECK(close(w.period_spend(budget_period::day).all, last[0].usd + last[1].usd));

    // A second rebuild forgets everything and reads again.
    usage_window::shape none;
    none.minutes = 1;
    while (!w.rebuild(db, none, later_ms + 10 * ms_per_day))
    {
    }
    CHECK(w.counts(1, later_ms + 10 * ms_per_day).all.requests == 0);
    CHECK(w.trailing_failures().empty());
    CHECK(w.period_spend(budget_period::day).all == 0);
    CHECK(w.newest_event_ms() == 0);
}

} // namespace

TEST_CASE("usage_window agrees with figures computed from the raw events", "[alerts][usage_window]")
{
    std::vector<std::uint64_t> seeds = {1, 2, 3, 4, 5, 6};
    if (const char* s = std::getenv("CPAMD_ALERTS_SEED"))
        seeds.push_back(std::strtoull(s, nullptr, 10));
    for (auto seed : seeds)
    {
        DYNAMIC_SECTION("seed " << seed)
        {
            run_seed(seed);
        }
    }
}

TEST_CASE("an empty store rebuilds to an empty window", "[alerts][usage_window]")
{
    test::temp_store ts;
    auto db = store::open_reader(ts.db->path());
    usage_window w;
    usage_window::shape shape;
    shape.minutes = 15;
    shape.period_start[static_cast<std::size_t>(budget_period::month)] = base_now_ms - 20 * ms_per_day;
    int steps = 0;
    while (!w.rebuild(db, shape, base_now_ms))
        REQUIRE(++steps < 10'000);
    CHECK(w.ready());
    CHECK(w.counts(15, base_now_ms).all.requests == 0);
    CHECK(w.latency(15, base_now_ms, 0).total() == 0);
    CHECK_FALSE(w.latency(15, base_now_ms, 0).quantile(0.95));
    CHECK(w.trailing_failures().empty());
    CHECK(w.period_spend(budget_period::month).all == 0);
    CHECK(w.fold_new(db, base_now_ms, 100) == 0);
}
