// analytics::run_monitoring (POST /v0/management/monitoring/analytics) against an oracle: every
// section recomputed from the stored events with plain loops (no rollups, no SQL aggregation),
// for hundreds of random ranges, zones, filters and include sets. Real parser, real writer.
// The data straddles New York's 2026-03-08 DST change; the zones include 30- and 45-minute ones.
//
// A fixed seed keeps it deterministic; CPAMD_MONITORING_SEED=<n> picks another one.

#include "analytics_fixtures.hpp"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cpamd/analytics/account_usage.hpp>
#include <cpamd/analytics/anomaly_rules.hpp>
#include <cpamd/analytics/local_time.hpp>
#include <cpamd/analytics/monitoring_analytics.hpp>
#include <cpamd/core/floor_div.hpp>
#include <cpamd/pricing/cost.hpp>
#include <cpamd/store/batch_writer.hpp>
#include <cpamd/store/context_bands.hpp>
#include <cpamd/store/database.hpp>
#include <cpamd/store/event_reader.hpp>
#include <cpamd/store/event_writer.hpp>
#include <cpamd/store/price_repository.hpp>
#include <cpamd/store/projections.hpp>
#include <cpamd/test/sanitizer.hpp>
#include <cpamd/test/temp_dir.hpp>
#include <cpamd/usage/parse_record.hpp>
#include <cpamd/usage/sha256.hpp>
#include <cpamd/usage/timestamp.hpp>
#include <cstdint>
#include <cstdlib>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <functional>
#include <future>
#include <map>
#include <random>
#include <set>

namespace
{

using namespace cpamd;
namespace an = cpamd::analytics;

using an::ms_per_day;
using an::ms_per_hour;
using an::ms_per_minute;

constexpr std::int64_t data_start_ms = 1'772'496'000'000; // 2026-03-03T00:00Z
constexpr std::int64_t data_days = 10;
constexpr std::int64_t ny_dst_ms = 1'772'953'200'000; // 2026-03-08T07:00Z: New York 02:00 -> 03:00
constexpr std::int64_t other_dst_changes_ms[] = {
    1'774'746'000'000, // 2026-03-29T01:00Z: Berlin 02:00 -> 03:00
    1'792'890'000'000, // 2026-10-25T01:00Z: Berlin 03:00 -> 02:00
    1'793'512'800'000, // 2026-11-01T06:00Z: New York 02:00 -> 01:00
};

// ---- the data ---------------------------------------------------------------------------------

// A credential as CPA reports it. Empty strings are left out of the record.
struct credential
{
    std::string_view source; // "": none, the parser then takes the API key as source
    int auth_index;          // -1: none
    std::string_view provider, auth_file, account, label, auth_provider, project;
};

constexpr credential credentials[] = {
    {"alice@example.com", 0xa1, "codex", "codex-alice.json", "alice@example.com", "Alice", "codex", ""},
    // Its account snapshot is renamed half-way (names of a group come from its newest event).
    {"bob@example.com", 0xb2, "codex", "codex-bob.json", "bob@example.com", "", "codex", ""},
    {"carol@example.com", 0xc3, "codex", "", "", "Carol team", "", ""},
    {"dave@example.com", -1, "codex", "", "", "", "", ""},
    {"shared-pool", 0x5e, "codex", "codex-shared.json", "", "", "codex", ""},
    {"erin@example.com", 0xe6, "claude", "claude-erin.json", "erin@example.com", "Erin", "claude", ""},
    {"frank@example.com", 0xf7, "claude", "claude-frank.json", "frank@example.com", "", "claude", ""},
    {"", 0x78, "claude", "claude-keyed.json", "", "", "claude", ""},
    {"gina@example.com", 0x69, "gemini", "gemini-gina.json", "gina@example.com", "", "vertex", "proj-alpha"},
    {"hank@example.com", 0x4a, "gemini", "gemini-hank.json", "", "Hank", "gemini", "proj-beta"},
};

struct model_choice
{
    std::string_view provider, requested, resolved, response;
};

constexpr model_choice model_choices[] = {
    {"codex", "", "gpt-5.4", ""},
    {"codex", "gpt-5.4", "gpt-5.4-2026-03-05", ""},
    {"codex", "", "gpt-5.5", ""},
    {"codex", "gpt-5.5", "gpt-5.5", "gpt-5.5-2026-02-20"},
    {"codex", "", "mystery-model", ""}, // unpriced
    {"claude", "", "claude-sonnet-4-5", ""},
    {"claude", "claude-sonnet-4-5", "claude-sonnet-4-5-20250929", ""},
    {"gemini", "", "gemini-2.5-pro", ""},
    {"gemini", "gemini-pro-latest", "gemini-2.5-pro", ""},
};

constexpr int api_key_count = 8;
const std::map<int, std::string> alias_of_key = {{0, "Team Alpha"}, {3, "ops-bot"}};

std::string api_key(int k)
{
    return fmt::format("sk-monitor-{}-4f1c9a7be2d05836", k);
}

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
    template <class C>
    const auto& pick(const C& c)
    {
        return *std::next(std::begin(c), below(static_cast<std::int64_t>(std::size(c))));
    }

private:
    std::mt19937_64 gen_;
};

// A flat JSON object, built field by field (the values need no escaping).
class json_object
{
public:
    json_object& str(std::string_view key, std::string_view value)
    {
        if (!value.empty())
            add(key, fmt::format("\"{}\"", value));
        return *this;
    }
    json_object& num(std::string_view key, std::int64_t value) { return add(key, std::to_string(value)); }
    json_object& boolean(std::string_view key, bool value) { return add(key, value ? "true" : "false"); }
    json_object& add(std::string_view key, std::string_view raw_json)
    {
        text_ += text_.size() > 1 ? "," : "";
        text_ += fmt::format("\"{}\":{}", key, raw_json);
        return *this;
    }
    std::string done() const { return text_ + "}"; }

private:
    std::string text_ = "{";
};

struct record_spec
{
    std::int64_t ts_ns = 0;
    int credential = 0, key = 0, number = 0;
};

std::string random_tokens(rng_t& rng, std::string_view provider)
{
    const bool claude = provider == "claude";
    const bool zero = rng.chance(0.06);
    std::int64_t input = zero ? 0 : 50 + rng.below(rng.chance(0.125) ? 300'000 : 20'000);
    std::int64_t read = rng.below(input / 2 + 1);
    std::int64_t creation = claude ? rng.below(input / 4 + 1) : rng.chance(0.1) ? rng.below(500) : 0;
    if (zero || rng.chance(0.3))
        read = creation = 0; // cache misses
    std::int64_t output = zero ? 0 : rng.below(8000);
    std::int64_t reasoning = rng.below(output + 1);
    std::int64_t wire_input = claude ? input - read - creation : input;
    json_object t;
    t.num("input_tokens", wire_input).num("output_tokens", output).num("reasoning_tokens", reasoning);
    switch (rng.below(10))
    {
    case 0: // old records: only the legacy cached_tokens
        t.num("cached_tokens", read);
        break;
    case 1: // older aggregate exports: cache_tokens
        t.num("cache_tokens", read);
        break;
    default:
        t.num("cached_tokens", read).num("cache_read_tokens", read);
    }
    t.num("cache_creation_tokens", creation);
    if (!rng.chance(0.1)) // else the parser derives the total
        t.num("total_tokens", zero ? 0 : input + output + (provider == "gemini" ? reasoning : 0));
    return t.done();
}

void add_outcome(json_object& r, rng_t& rng, std::string_view provider, int number)
{
    if (rng.chance(0.11))
    {
        r.boolean("failed", true);
        if (rng.chance(0.5))
            r.add("fail", R"({"status_code":429,"body":"Rate limit reached for requests, please retry"})");
        else
            r.num("fail_status_code", rng.chance(0.5) ? 500 : 401)
                .str(
                    "fail_summary", rng.chance(0.5) ? "upstream overloaded" : "invalid_grant: token expired"
                );
        if (rng.chance(0.6))
            r.str("header_error_kind", rng.chance(0.5) ? "rate_limit" : "server_error")
                .str("header_error_code", rng.chance(0.5) ? "usage_limit_reached" : "E5003");
    }
    else
        r.boolean("failed", false);
    switch (rng.below(8))
    {
    case 0:
        break; // no latency
    case 1:
        r.num("latency_ms", 0);
        break;
    default:
        r.num("latency_ms", rng.chance(0.7) ? rng.between(1, 8000) : rng.between(8000, 90'000));
    }
    if (rng.chance(0.55))
        r.num("ttft_ms", rng.chance(0.1) ? 0 : rng.between(1, 4000)); // 0: unknown
    if (rng.chance(0.15))
        r.str("header_trace_id", fmt::format("trace-{:06x}", number * 7919 % 0xffffff));
    if (provider == "codex" && rng.chance(0.2))
        r.str("header_quota_plan_type", rng.chance(0.5) ? "plus" : "pro");
    if (provider == "codex" && rng.chance(0.08))
        r.add(
            "response_headers",
            fmt::format(
                R"({{"X-Codex-Primary-Used-Percent":"{}.5","X-Codex-Plan-Type":"team","X-Request-Id":"req-{:05d}"}})",
                rng.below(100),
                number
            )
        );
}

std::string random_record(rng_t& rng, const record_spec& s)
{
    const auto& c = credentials[s.credential];
    std::vector<const model_choice*> models;
    for (const auto& m : model_choices)
        if (m.provider == c.provider)
            models.push_back(&m);
    const auto& m = *rng.pick(models);
    json_object r;
    auto secs = s.ts_ns / 1'000'000'000, nanos = s.ts_ns % 1'000'000'000;
    r.str("timestamp", usage::format_rfc3339nano({secs, static_cast<std::int32_t>(nanos)}));
    if (s.number % 10 == 3)
        r.str("request_id", fmt::format("req_{}", s.number)); // stored as text
    else // 8 lower-case hex digits, unique (an odd multiplier is a bijection mod 2^32)
        r.str("request_id", fmt::format("{:08x}", static_cast<std::uint32_t>(s.number * 2654435761u)));
    r.str("provider", c.provider);
    r.str(
        "executor_type",
        c.provider == "codex"    ? "CodexExecutor"
        : c.provider == "claude" ? "ClaudeExecutor"
                                 : "GeminiExecutor"
    );
    r.str("alias", m.requested).str("model", m.resolved).str("response_model", m.response);
    std::string_view endpoint = c.provider == "claude"                     ? "POST /v1/messages"
                                : c.provider == "codex" && rng.chance(0.7) ? "POST /v1/responses"
                                                                           : "POST /v1/chat/completions";
    r.str("endpoint", endpoint);
    r.str("auth_type", c.source.empty() ? "apikey" : "oauth");
    if (c.auth_index >= 0)
        r.str(
            "auth_index", fmt::format("{:016x}", 0x9e3779b97f4a0000ULL + static_cast<unsigned>(c.auth_index))
        );
    r.str("source", c.source).str("api_key", api_key(s.key));
    bool renamed = s.credential == 1 && s.ts_ns / 1'000'000 >= data_start_ms + 5 * ms_per_day;
    r.str("account_snapshot", renamed ? "bob.renamed@example.com" : c.account);
    r.str("auth_label_snapshot", c.label).str("auth_file_snapshot", c.auth_file);
    r.str("auth_provider_snapshot", c.auth_provider).str("auth_project_id_snapshot", c.project);
    r.str("service_tier", rng.pick(std::array<std::string_view, 4>{"", "default", "priority", "flex"}));
    r.str("reasoning_effort", rng.pick(std::array<std::string_view, 3>{"", "medium", "high"}));
    if (rng.chance(0.7))
        r.boolean("stream", rng.chance(0.6));
    r.str("client_ip", fmt::format("10.0.0.{}", s.key + 1))
        .str("user_agent", rng.chance(0.5) ? "codex-cli/1.2" : "curl/8.5");
    r.add("tokens", random_tokens(rng, c.provider));
    add_outcome(r, rng, c.provider, s.number);
    return r.done();
}

std::int64_t random_ts_ns(rng_t& rng)
{
    auto r = rng.below(100);
    if (r < 5) // on a whole hour: range edges must take it or leave it exactly
        return (data_start_ms + rng.below(data_days * 24) * ms_per_hour) * 1'000'000;
    std::int64_t ms = r < 30 ? ny_dst_ms - 8 * ms_per_hour + rng.below(16 * ms_per_hour)
                             : data_start_ms + rng.below(data_days * ms_per_day);
    return ms * 1'000'000 + rng.below(1'000'000);
}

// Records in groups: 12 % of the groups are approximate tasks, 2-4 events with the same time
// and credential (not always the same API key).
std::vector<usage::event> random_events(rng_t& rng, int count)
{
    std::vector<usage::event> out;
    while (static_cast<int>(out.size()) < count)
    {
        record_spec s;
        s.ts_ns = random_ts_ns(rng);
        s.credential = static_cast<int>(rng.below(std::size(credentials)));
        s.key = static_cast<int>(rng.below(api_key_count));
        auto group = rng.chance(0.12) ? rng.between(2, 4) : 1;
        for (std::int64_t g = 0; g < group && static_cast<int>(out.size()) < count; ++g)
        {
            s.number = static_cast<int>(out.size());
            if (g > 0 && rng.chance(0.3))
                s.key = static_cast<int>(rng.below(api_key_count));
            // The same millisecond, another nanosecond: event rows order by the millisecond
            // (then the id), so a later event may come first; tasks go by the exact instant.
            if (g > 0 && rng.chance(0.2))
                s.ts_ns = s.ts_ns - s.ts_ns % 1'000'000 + rng.below(1'000'000);
            auto json = random_record(rng, s);
            auto ev = usage::parse_record(std::string_view(json));
            if (!ev)
                throw std::runtime_error(
                    "generated record does not parse: " + ev.error().message() + "\n" + json
                );
            out.push_back(std::move(*ev));
        }
    }
    return out;
}

// ---- the oracle's view of the stored events ---------------------------------------------------

std::string lower(std::string_view s)
{
    std::string r(s);
    for (auto& ch : r)
        if (ch >= 'A' && ch <= 'Z')
            ch = static_cast<char>(ch - 'A' + 'a');
    return r;
}

struct oracle_event
{
    std::int64_t id = 0, ts = 0; // ts: timestamp_ms
    std::int64_t ts_ns = 0;      // the exact instant (tasks, and the newest event of a group)
    usage::event ev;
    std::int64_t input = 0;  // normalized total input: the cost buckets
    std::int64_t cached = 0; // legacy cached input no cache-read counter covers
    double usd = 0;
    std::string account, credential_id, alias;
    std::vector<std::string> haystack; // the searchable texts, lower case
};

// Event rows order by (timestamp ms, id); names come from the newest by (instant, id).
bool newer(const oracle_event& a, const oracle_event& b)
{
    return a.ts != b.ts ? a.ts > b.ts : a.id > b.id;
}

bool newer_instant(const oracle_event& a, const oracle_event& b)
{
    return a.ts_ns != b.ts_ns ? a.ts_ns > b.ts_ns : a.id > b.id;
}

double event_cost(const pricing::price_table& table, const usage::event& ev)
{
    pricing::request_usage req;
    req.models = {
        ev.response_model.empty() ? ev.resolved_model : ev.response_model, ev.model, ev.requested_model};
    req.service_tier = ev.service_tier;
    req.normalized_input = ev.cost.total_input();
    req.tokens = {
        req.normalized_input, 0, ev.cost.cache_read, ev.cost.cache_write, ev.cost.output, ev.cost.reasoning};
    return pricing::request_cost(table, req).usd;
}

std::string first_non_empty(std::initializer_list<std::string_view> values)
{
    for (auto v : values)
        if (!v.empty())
            return std::string(v);
    return {};
}

struct dataset
{
    std::vector<oracle_event> events; // oldest first by (timestamp, id)
    std::map<std::string, std::string> aliases;
};

dataset read_dataset(
    store::connection& db, const pricing::price_table& table, std::map<std::string, std::string> aliases
)
{
    dataset ds;
    ds.aliases = std::move(aliases);
    store::event_cursor cursor(db, store::event_order::oldest_first, 0);
    store::stored_event se;
    while (cursor.next(se))
    {
        oracle_event e;
        e.id = se.id, e.ev = se.ev, e.ts = se.ev.timestamp_ms, e.ts_ns = store::event_time_ns(se.ev);
        const auto& ev = e.ev;
        e.input = ev.cost.total_input();
        e.cached = std::max<std::int64_t>(ev.cost.cache_read - ev.tokens.cache_read, 0);
        e.usd = event_cost(table, ev);
        e.account = first_non_empty({ev.account_snapshot, ev.auth_label_snapshot, ev.source, ev.auth_index});
        e.credential_id = ev.auth_file_snapshot + "|" + ev.auth_index + "|" + ev.source_hash;
        if (auto it = ds.aliases.find(ev.api_key_hash); it != ds.aliases.end())
            e.alias = it->second;
        for (std::string_view s :
             {std::string_view(ev.model),
              std::string_view(ev.requested_model),
              std::string_view(ev.resolved_model),
              std::string_view(ev.response_model),
              std::string_view(ev.provider),
              std::string_view(ev.endpoint),
              std::string_view(ev.auth_index),
              std::string_view(ev.source),
              std::string_view(ev.account_snapshot),
              std::string_view(ev.auth_label_snapshot),
              std::string_view(ev.auth_file_snapshot),
              std::string_view(ev.auth_provider_snapshot),
              std::string_view(ev.auth_project_id_snapshot),
              std::string_view(ev.request_id),
              std::string_view(ev.fail_summary),
              std::string_view(ev.header_trace_id),
              std::string_view(ev.header_error_kind),
              std::string_view(ev.header_error_code),
              std::string_view(e.alias)})
            if (!s.empty())
                e.haystack.push_back(lower(s));
        ds.events.push_back(std::move(e));
    }
    std::sort(ds.events.begin(), ds.events.end(), [](const auto& a, const auto& b) { return newer(b, a); });
    return ds;
}

// ---- filters (monitoring_query.hpp) -------------------------------------------------------------

bool listed(const std::vector<std::string>& list, std::initializer_list<std::string_view> values)
{
    if (list.empty())
        return true;
    for (auto v : values)
        if (std::find(list.begin(), list.end(), v) != list.end())
            return true;
    return false;
}

bool passes_dimensions(const an::monitoring_filter& f, const oracle_event& e)
{
    const auto& ev = e.ev;
    return listed(f.models, {ev.model}) && listed(f.providers, {ev.provider, ev.auth_provider_snapshot}) &&
           listed(f.accounts, {ev.account_snapshot, ev.auth_label_snapshot, ev.source, ev.auth_index}) &&
           listed(f.api_key_hashes, {ev.api_key_hash}) && listed(f.credential_ids, {e.credential_id}) &&
           listed(f.auth_files, {ev.auth_file_snapshot}) && listed(f.auth_indices, {ev.auth_index}) &&
           listed(f.source_hashes, {ev.source_hash}) &&
           listed(f.project_ids, {ev.auth_project_id_snapshot}) && listed(f.request_types, {ev.endpoint}) &&
           listed(f.header_error_kinds, {ev.header_error_kind}) &&
           listed(f.header_error_codes, {ev.header_error_code}) &&
           listed(f.header_quota_plans, {ev.header_quota_plan_type}) &&
           listed(f.header_trace_ids, {ev.header_trace_id});
}

bool passes_status(const an::monitoring_filter& f, const oracle_event& e)
{
    const auto& ev = e.ev;
    if (f.failed_only ? !ev.failed : !f.include_failed && ev.failed)
        return false;
    if (f.min_latency_ms > 0 && !(ev.latency_ms && *ev.latency_ms >= f.min_latency_ms))
        return false;
    // The record's own counters (the columns), not the cost buckets: a legacy cached_tokens is a
    // hit but not a "read".
    const auto& t = ev.tokens;
    bool hit = t.cached > 0 || t.cache > 0 || t.cache_read > 0 || t.cache_creation > 0;
    if (f.cache_status == "hit")
        return hit;
    if (f.cache_status == "miss")
        return !hit;
    if (f.cache_status == "read")
        return t.cache_read > 0;
    if (f.cache_status == "creation")
        return t.cache_creation > 0;
    return true;
}

bool passes_search(const an::monitoring_filter& f, const oracle_event& e)
{
    const auto& key_hash = e.ev.api_key_hash;
    if (f.search_query.empty())
        return f.search_api_key_hash.empty() || key_hash == f.search_api_key_hash;
    if (!f.search_api_key_hash.empty() && key_hash == f.search_api_key_hash)
        return true;
    auto needle = lower(f.search_query);
    for (const auto& text : e.haystack)
        if (text.find(needle) != std::string::npos)
            return true;
    return needle.size() >= 8 && key_hash.starts_with(needle);
}

bool passes_filter(const an::monitoring_filter& f, const oracle_event& e)
{
    return passes_dimensions(f, e) && passes_status(f, e) && passes_search(f, e);
}

using event_list = std::vector<const oracle_event*>;

template <class Keep>
event_list select(const dataset& ds, std::int64_t from_ms, std::int64_t to_ms, Keep keep)
{
    event_list out;
    for (const auto& e : ds.events)
        if (e.ts >= from_ms && e.ts < to_ms && keep(e))
            out.push_back(&e);
    return out;
}

event_list newest_first(event_list list)
{
    std::sort(list.begin(), list.end(), [](auto* a, auto* b) { return newer(*a, *b); });
    return list;
}

// ---- sums ---------------------------------------------------------------------------------------

double ratio(double part, double whole)
{
    return whole == 0 ? 0 : part / whole;
}

// Nearest rank ceil(0.95 n) over the samples (all > 0).
std::optional<double> exact_p95(std::vector<std::int64_t> samples)
{
    if (samples.empty())
        return std::nullopt;
    auto rank = (95 * samples.size() + 99) / 100;
    std::nth_element(samples.begin(), samples.begin() + static_cast<std::ptrdiff_t>(rank - 1), samples.end());
    return static_cast<double>(samples[rank - 1]);
}

struct totals_acc
{
    std::int64_t calls = 0, failure = 0, input = 0, output = 0, reasoning = 0, cost_cache_read = 0,
                 cache_read = 0, cache_creation = 0, total = 0, latency_n = 0;
    long double usd = 0, latency_sum = 0;
    std::vector<std::int64_t> latencies, ttfts; // samples > 0
    const oracle_event* newest = nullptr;

    void add(const oracle_event& e)
    {
        const auto& ev = e.ev;
        calls++, failure += ev.failed, input += e.input;
        output += ev.tokens.output, reasoning += ev.tokens.reasoning, cost_cache_read += ev.cost.cache_read;
        cache_read += ev.tokens.cache_read, cache_creation += ev.tokens.cache_creation,
            total += ev.tokens.total;
        usd += e.usd;
        if (ev.latency_ms && *ev.latency_ms > 0)
            latency_n++, latency_sum += *ev.latency_ms, latencies.push_back(*ev.latency_ms);
        if (ev.ttft_ms && *ev.ttft_ms > 0)
            ttfts.push_back(*ev.ttft_ms);
        if (newest == nullptr || newer_instant(e, *newest))
            newest = &e;
    }
    std::int64_t success() const { return calls - failure; }
    std::int64_t cached() const { return std::max<std::int64_t>(cost_cache_read - cache_read, 0); }
    double cache_hit_rate() const
    {
        return input == 0
                   ? 0
                   : std::min(static_cast<double>(cached() + cache_read) / static_cast<double>(input), 1.0);
    }
    double failure_rate() const { return ratio(static_cast<double>(failure), static_cast<double>(calls)); }
    double success_rate() const { return ratio(static_cast<double>(success()), static_cast<double>(calls)); }
    std::optional<double> average_latency() const
    {
        if (latency_n == 0)
            return std::nullopt;
        return static_cast<double>(latency_sum / latency_n);
    }
};

totals_acc accumulate(const event_list& events)
{
    totals_acc acc;
    for (const auto* e : events)
        acc.add(*e);
    return acc;
}

struct group
{
    std::string key;
    totals_acc acc;
    event_list events;
};

// Groups by key, most calls first, ties by the key.
template <class KeyOf>
std::vector<group> group_by(const event_list& events, KeyOf key_of, bool skip_empty = false)
{
    std::map<std::string, group> by;
    for (const auto* e : events)
    {
        std::string key(key_of(*e));
        if (skip_empty && key.empty())
            continue;
        auto& g = by[key];
        g.key = key;
        g.acc.add(*e);
        g.events.push_back(e);
    }
    std::vector<group> out;
    for (auto& [k, g] : by)
        out.push_back(std::move(g));
    std::stable_sort(
        out.begin(), out.end(), [](const group& a, const group& b) { return a.acc.calls > b.acc.calls; }
    );
    return out;
}

template <class T>
void keep_first(std::vector<T>& v, std::size_t n)
{
    if (v.size() > n)
        v.resize(n);
}

// ---- comparing ----------------------------------------------------------------------------------

std::string show(bool v)
{
    return v ? "true" : "false";
}
std::string show(std::int64_t v)
{
    return std::to_string(v);
}
std::string show(double v)
{
    return fmt::format("{:.17g}", v);
}
std::string show(const std::string& v)
{
    return fmt::format("\"{}\"", v);
}
std::string show(const std::vector<std::string>& v)
{
    return fmt::format("[{}]", fmt::join(v, ", "));
}
template <class T>
std::string show(const std::optional<T>& v)
{
    return v ? show(*v) : "null";
}

// Collects mismatches with the path of what was compared ("timeline[3].calls"), counts the rest.
class differ
{
public:
    class scope
    {
    public:
        scope(differ& d, std::string name) : d_(d) { d_.path_.push_back(std::move(name)); }
        ~scope() { d_.path_.pop_back(); }
        scope(const scope&) = delete;
        scope& operator=(const scope&) = delete;

    private:
        differ& d_;
    };

    template <class T>
    void eq(std::string_view field, const T& got, const T& want)
    {
        ++comparisons;
        if (!(got == want))
            fail(field, show(got), show(want));
    }
    void eq(std::string_view field, std::size_t got, std::size_t want)
    {
        eq(field, static_cast<std::int64_t>(got), static_cast<std::int64_t>(want));
    }
    void eq(std::string_view field, int got, int want)
    {
        eq(field, static_cast<std::int64_t>(got), static_cast<std::int64_t>(want));
    }
    void eq(std::string_view field, std::string_view got, std::string_view want)
    {
        eq(field, std::string(got), std::string(want));
    }
    void near(std::string_view field, double got, double want, double abs_tol, double rel_tol = 0)
    {
        ++comparisons;
        if (!(std::abs(got - want) <= std::max(abs_tol, rel_tol * std::abs(want))))
            fail(field, show(got), show(want));
    }
    void near(
        std::string_view field,
        const std::optional<double>& got,
        const std::optional<double>& want,
        double abs_tol,
        double rel_tol = 0
    )
    {
        if (got && want)
            return near(field, *got, *want, abs_tol, rel_tol);
        eq(field, got.has_value(), want.has_value());
    }
    void cost(std::string_view field, double got, double want) { near(field, got, want, 1e-9, 1e-12); }
    void rate(std::string_view field, double got, double want) { near(field, got, want, 1e-12); }
    // Histogram percentiles: within 2 % (+0.5 ms) of the exact nearest-rank value.
    void
    p95(std::string_view field, const std::optional<double>& got, const std::vector<std::int64_t>& samples)
    {
        auto want = exact_p95(samples);
        ++comparisons;
        bool ok =
            got && want ? std::abs(*got - *want) <= 0.02 * *want + 0.5 : got.has_value() == want.has_value();
        if (!ok)
            fail(field, show(got), show(want) + " (exact, +-2 %)");
    }
    // Whether a section is there exactly when asked; true when it is there to compare.
    template <class T>
    bool present(std::string_view section, const std::optional<T>& got, bool asked)
    {
        eq(fmt::format("{} present", section), got.has_value(), asked);
        return got.has_value() && asked;
    }

    std::int64_t comparisons = 0;
    std::vector<std::string> failures;              // this query's, the first ones
    std::map<std::string, std::int64_t> by_section; // every failure of every query
    std::size_t max_messages = 16;                  // per query

    void next_query()
    {
        failures.clear();
        kinds_.clear();
    }

private:
    void fail(std::string_view field, const std::string& got, const std::string& want)
    {
        std::string where, kind; // kind: the path without indexes, "timeline.calls"
        for (const auto& p : path_)
            where += p + ".", kind += p.substr(0, p.find('[')) + ".";
        where += field, kind += field;
        by_section[path_.empty() ? std::string(field) : path_.front().substr(0, path_.front().find('['))]++;
        // A few messages per kind of mismatch, so one wrong field does not hide the others.
        if (failures.size() < max_messages && ++kinds_[kind] <= 2)
            failures.push_back(fmt::format("{}: got {}, want {}", where, got, want));
    }

    std::map<std::string, int> kinds_; // this query's mismatches by kind
    std::vector<std::string> path_;
};

void check_totals(differ& d, const an::usage_totals& got, const totals_acc& want)
{
    d.eq("calls", got.calls, want.calls);
    d.eq("success", got.success, want.success());
    d.eq("failure", got.failure, want.failure);
    d.rate("success_rate", got.success_rate, want.success_rate());
    d.rate("failure_rate", got.failure_rate, want.failure_rate());
    d.eq("input_tokens", got.input_tokens, want.input);
    d.eq("output_tokens", got.output_tokens, want.output);
    d.eq("reasoning_tokens", got.reasoning_tokens, want.reasoning);
    d.eq("cached_tokens", got.cached_tokens, want.cached());
    d.eq("cache_read_tokens", got.cache_read_tokens, want.cache_read);
    d.eq("cache_creation_tokens", got.cache_creation_tokens, want.cache_creation);
    d.eq("total_tokens", got.total_tokens, want.total);
    d.eq("cache_hit_tokens", got.cache_hit_tokens, want.cached() + want.cache_read);
    d.rate("cache_hit_rate", got.cache_hit_rate, want.cache_hit_rate());
    d.cost("cost", got.cost, static_cast<double>(want.usd));
    d.near("average_latency_ms", got.average_latency_ms, want.average_latency(), 1e-9, 1e-12);
    d.eq("last_seen_ms", got.last_seen_ms, want.newest ? want.newest->ts : std::int64_t{0});
}

void check_names(differ& d, const an::credential_names& got, const oracle_event& newest)
{
    differ::scope s(d, "names");
    const auto& ev = newest.ev;
    d.eq("source", got.source, ev.source);
    d.eq("source_hash", got.source_hash, ev.source_hash);
    d.eq("auth_index", got.auth_index, ev.auth_index);
    d.eq("auth_file_snapshot", got.auth_file_snapshot, ev.auth_file_snapshot);
    d.eq("account_snapshot", got.account_snapshot, ev.account_snapshot);
    d.eq("auth_label_snapshot", got.auth_label_snapshot, ev.auth_label_snapshot);
    d.eq("auth_provider_snapshot", got.auth_provider_snapshot, ev.auth_provider_snapshot);
    d.eq("provider", got.provider, ev.provider);
}

void check_item(differ& d, const an::event_item& got, const oracle_event& e)
{
    const auto& ev = e.ev;
    d.eq("id", got.id, e.id);
    d.eq("timestamp_ms", got.timestamp_ms, e.ts);
    d.eq("request_id", got.request_id, ev.request_id);
    d.eq("model", got.model, ev.model);
    d.eq("requested_model", got.requested_model, ev.requested_model);
    d.eq("resolved_model", got.resolved_model, ev.resolved_model);
    d.eq("response_model", got.response_model, ev.response_model);
    d.eq("provider", got.provider, ev.provider);
    d.eq("executor", got.executor, ev.executor_type);
    d.eq("endpoint", got.endpoint, ev.endpoint);
    d.eq("reasoning_effort", got.reasoning_effort, ev.reasoning_effort);
    d.eq("service_tier", got.service_tier, ev.service_tier);
    d.eq("client_ip", got.client_ip, ev.client_ip);
    d.eq("user_agent", got.user_agent, ev.user_agent);
    d.eq("auth_type", got.auth_type, ev.auth_type);
    check_names(d, got.names, e);
    d.eq("auth_project_id_snapshot", got.auth_project_id_snapshot, ev.auth_project_id_snapshot);
    d.eq("api_key_hash", got.api_key_hash, ev.api_key_hash);
    d.eq("api_key_alias", got.api_key_alias, e.alias);
    d.eq("stream", got.stream, ev.stream);
    d.eq("failed", got.failed, ev.failed);
    d.eq("fail_status_code", got.fail_status_code, ev.fail_status_code);
    d.eq("fail_summary", got.fail_summary, ev.fail_summary);
    d.eq("input_tokens", got.input_tokens, e.input);
    d.eq("output_tokens", got.output_tokens, ev.tokens.output);
    d.eq("reasoning_tokens", got.reasoning_tokens, ev.tokens.reasoning);
    d.eq("cached_tokens", got.cached_tokens, e.cached);
    d.eq("cache_read_tokens", got.cache_read_tokens, ev.tokens.cache_read);
    d.eq("cache_creation_tokens", got.cache_creation_tokens, ev.tokens.cache_creation);
    d.eq("total_tokens", got.total_tokens, ev.tokens.total);
    d.cost("cost", got.cost, e.usd);
    d.eq("latency_ms", got.latency_ms, ev.latency_ms);
    d.eq("ttft_ms", got.ttft_ms, ev.ttft_ms);
    d.eq("response_metadata", got.response_metadata, ev.response_metadata);
    d.eq("header_quota_recover_at_ms", got.header_quota_recover_at_ms, ev.header_quota_recover_at_ms);
    d.eq("header_quota_used_percent", got.header_quota_used_percent, ev.header_quota_used_percent);
    d.eq("header_quota_plan_type", got.header_quota_plan_type, ev.header_quota_plan_type);
    d.eq("header_error_kind", got.header_error_kind, ev.header_error_kind);
    d.eq("header_error_code", got.header_error_code, ev.header_error_code);
    d.eq("header_trace_id", got.header_trace_id, ev.header_trace_id);
}

void check_items(differ& d, const std::vector<an::event_item>& got, const event_list& want)
{
    d.eq("items", got.size(), want.size());
    for (std::size_t i = 0; i < std::min(got.size(), want.size()); ++i)
    {
        differ::scope s(d, fmt::format("items[{}]", i));
        check_item(d, got[i], *want[i]);
    }
}

// ---- the sections -------------------------------------------------------------------------------

struct context
{
    const dataset& ds;
    const an::monitoring_query& q;
    differ& d;
    an::granularity g;
    std::vector<an::bucket> buckets;
    event_list kept; // in range and kept by the filter, oldest first

    std::size_t bucket_of(std::int64_t ts) const
    {
        auto it = std::upper_bound(
            buckets.begin(),
            buckets.end(),
            ts,
            [](std::int64_t t, const an::bucket& b) { return t < b.start_ms; }
        );
        return static_cast<std::size_t>(it - buckets.begin()) - 1;
    }
    std::vector<totals_acc> per_bucket(const event_list& events) const
    {
        std::vector<totals_acc> out(buckets.size());
        for (const auto* e : events)
            out[bucket_of(e->ts)].add(*e);
        return out;
    }
    event_list filtered(std::int64_t from_ms, std::int64_t to_ms) const
    {
        return select(ds, from_ms, to_ms, [&](const oracle_event& e) { return passes_filter(q.filter, e); });
    }
};

void check_approx_tasks(differ& d, const an::monitoring_summary& s, const event_list& kept)
{
    std::map<std::tuple<std::int64_t, std::string, std::string>, bool> failed_task;
    for (const auto* e : kept)
        failed_task[{e->ts_ns, e->ev.source_hash, e->ev.auth_index}] |= e->ev.failed;
    std::int64_t tasks = static_cast<std::int64_t>(failed_task.size()), failures = 0;
    for (const auto& [key, failed] : failed_task)
        failures += failed;
    d.eq("approx_tasks", s.approx_tasks, tasks);
    d.eq("approx_task_failures", s.approx_task_failures, failures);
    d.rate(
        "approx_task_success_rate",
        s.approx_task_success_rate,
        ratio(static_cast<double>(tasks - failures), static_cast<double>(tasks))
    );
}

void check_summary(context& c, const an::monitoring_summary& s)
{
    auto& d = c.d;
    differ::scope sc(d, "summary");
    const auto all = accumulate(c.kept);
    {
        differ::scope t(d, "totals");
        check_totals(d, s.totals, all);
    }
    d.cost(
        "average_cost_per_call",
        s.average_cost_per_call,
        static_cast<double>(all.calls ? all.usd / all.calls : 0)
    );
    event_list zero_token;
    for (const auto* e : c.kept)
        if (!e->ev.failed && e->ev.tokens.total == 0)
            zero_token.push_back(e);
    d.eq("zero_token_calls", s.zero_token_calls, static_cast<std::int64_t>(zero_token.size()));

    const bool full = c.q.include.profile == an::summary_profile::full;
    if (full)
    {
        auto recent = accumulate(c.filtered(c.q.now_ms - 30 * ms_per_minute, c.q.now_ms));
        d.near("rpm_30m", s.rpm_30m, static_cast<double>(recent.calls) / 30.0, 1e-12, 1e-12);
        d.near("tpm_30m", s.tpm_30m, static_cast<double>(recent.total) / 30.0, 1e-12, 1e-12);
        std::set<std::int64_t> days;
        for (const auto* e : c.kept)
            days.insert(an::to_local(c.q.time_zone, e->ts).local_day);
        auto active = static_cast<std::int64_t>(days.size());
        d.eq("active_days", s.active_days, active);
        d.near(
            "avg_daily_requests",
            s.avg_daily_requests,
            ratio(static_cast<double>(all.calls), static_cast<double>(active)),
            1e-12,
            1e-12
        );
        d.near(
            "avg_daily_tokens",
            s.avg_daily_tokens,
            ratio(static_cast<double>(all.total), static_cast<double>(active)),
            1e-12,
            1e-12
        );
        check_approx_tasks(d, s, c.kept);
        auto models = group_by(zero_token, [](const oracle_event& e) { return e.ev.model; });
        d.eq("zero_token_models", s.zero_token_models.size(), models.size());
        for (std::size_t i = 0; i < std::min(models.size(), s.zero_token_models.size()); ++i)
        {
            differ::scope z(d, fmt::format("zero_token_models[{}]", i));
            d.eq("model", s.zero_token_models[i].model, models[i].key);
            d.eq("calls", s.zero_token_models[i].calls, models[i].acc.calls);
        }
    }
    else
    {
        differ::scope z(d, "compact");
        d.eq("rpm_30m", s.rpm_30m, 0.0);
        d.eq("tpm_30m", s.tpm_30m, 0.0);
        d.eq("active_days", s.active_days, std::int64_t{0});
        d.eq("avg_daily_requests", s.avg_daily_requests, 0.0);
        d.eq("avg_daily_tokens", s.avg_daily_tokens, 0.0);
        d.eq("approx_tasks", s.approx_tasks, std::int64_t{0});
        d.eq("approx_task_failures", s.approx_task_failures, std::int64_t{0});
        d.eq("approx_task_success_rate", s.approx_task_success_rate, 0.0);
        d.eq("zero_token_models", s.zero_token_models.size(), std::size_t{0});
    }
    if (full || c.q.include.summary_percentiles)
    {
        d.p95("p95_latency_ms", s.p95_latency_ms, all.latencies);
        d.p95("p95_ttft_ms", s.p95_ttft_ms, all.ttfts);
    }
    else
    {
        d.eq("p95_latency_ms", s.p95_latency_ms, std::optional<double>());
        d.eq("p95_ttft_ms", s.p95_ttft_ms, std::optional<double>());
    }
}

std::optional<double> relative_change(double now, double before)
{
    if (before == 0)
        return std::nullopt;
    return (now - before) / before;
}

void check_comparison(context& c, const an::summary_comparison& got)
{
    auto& d = c.d;
    differ::scope sc(d, "comparison");
    const auto span = c.q.to_ms - c.q.from_ms;
    const auto prev = accumulate(c.filtered(c.q.from_ms - span, c.q.from_ms));
    const auto cur = accumulate(c.kept);
    d.eq("from_ms", got.from_ms, c.q.from_ms - span);
    d.eq("to_ms", got.to_ms, c.q.from_ms);
    d.eq("calls", got.calls, prev.calls);
    d.eq("success", got.success, prev.success());
    d.eq("failure", got.failure, prev.failure);
    d.rate("success_rate", got.success_rate, prev.success_rate());
    d.eq("total_tokens", got.total_tokens, prev.total);
    d.cost("cost", got.cost, static_cast<double>(prev.usd));
    auto as_double = [](auto v) { return static_cast<double>(v); };
    d.near(
        "calls_change",
        got.calls_change,
        relative_change(as_double(cur.calls), as_double(prev.calls)),
        1e-12,
        1e-12
    );
    d.near(
        "tokens_change",
        got.tokens_change,
        relative_change(as_double(cur.total), as_double(prev.total)),
        1e-12,
        1e-12
    );
    d.near(
        "cost_change", got.cost_change, relative_change(as_double(cur.usd), as_double(prev.usd)), 1e-9, 1e-9
    );
    // A rate of no calls is undefined: no change then.
    d.near(
        "success_rate_change",
        got.success_rate_change,
        cur.calls > 0 && prev.calls > 0 ? std::optional(cur.success_rate() - prev.success_rate())
                                        : std::nullopt,
        1e-12
    );
}

void check_timeline(context& c, const std::vector<an::timeline_point>& got)
{
    auto& d = c.d;
    auto want = c.per_bucket(c.kept);
    d.eq("timeline size", got.size(), c.buckets.size());
    for (std::size_t i = 0; i < std::min(got.size(), c.buckets.size()); ++i)
    {
        differ::scope s(d, fmt::format("timeline[{}]", i));
        d.eq("bucket_ms", got[i].bucket_ms, c.buckets[i].start_ms);
        d.eq("end_ms", got[i].end_ms, c.buckets[i].end_ms);
        d.eq("label", std::string_view(got[i].label), c.buckets[i].label());
        check_totals(d, got[i].totals, want[i]);
        d.p95("p95_latency_ms", got[i].p95_latency_ms, want[i].latencies);
        d.p95("p95_ttft_ms", got[i].p95_ttft_ms, want[i].ttfts);
    }
}

an::anomaly_input anomaly_input_of(const totals_acc& t, std::optional<double> p95)
{
    an::anomaly_input in;
    in.calls = t.calls, in.total_tokens = t.total, in.cost = static_cast<double>(t.usd);
    in.cache_hit_rate = t.cache_hit_rate(), in.failure_rate = t.failure_rate();
    in.p95_latency_ms = p95;
    return in;
}

double tokens_per_request(const totals_acc& t)
{
    return ratio(static_cast<double>(t.total), static_cast<double>(t.calls));
}

// `reference` is run_monitoring's own timeline of the query: its P95s are histogram estimates
// (checked against the exact values by check_timeline), and the latency rule must see the same
// numbers, or a spike right at 1.5x could flip.
void check_anomalies(
    context& c, const std::vector<an::anomaly_point>& got, const std::vector<an::timeline_point>& reference
)
{
    auto& d = c.d;
    auto buckets = c.per_bucket(c.kept);
    if (reference.size() != buckets.size())
    {
        d.eq("anomaly reference timeline size", reference.size(), buckets.size());
        return;
    }
    struct want_point
    {
        std::size_t i;
        an::anomaly_verdict v;
    };
    std::vector<want_point> want;
    for (std::size_t i = 1; i < buckets.size(); ++i)
        if (auto v = an::judge_anomaly(
                anomaly_input_of(buckets[i - 1], reference[i - 1].p95_latency_ms),
                anomaly_input_of(buckets[i], reference[i].p95_latency_ms)
            ))
            want.push_back({i, *v});
    std::stable_sort(
        want.begin(), want.end(), [](const auto& a, const auto& b) { return a.v.score > b.v.score; }
    );
    keep_first(want, 50);
    d.eq("anomaly_points size", got.size(), want.size());
    for (std::size_t k = 0; k < std::min(got.size(), want.size()); ++k)
    {
        differ::scope s(d, fmt::format("anomaly_points[{}]", k));
        const auto& g = got[k];
        const auto i = want[k].i;
        const auto &cur = buckets[i], &prev = buckets[i - 1];
        d.eq("bucket_ms", g.bucket_ms, c.buckets[i].start_ms);
        d.eq("label", std::string_view(g.label), c.buckets[i].label());
        d.eq("flags", g.flags, want[k].v.flags);
        d.eq("severity", g.severity, want[k].v.severity);
        d.near("score", g.score, want[k].v.score, 1e-9, 1e-9);
        d.eq("calls", g.calls, cur.calls);
        d.eq("previous_calls", g.previous_calls, prev.calls);
        d.cost("cost", g.cost, static_cast<double>(cur.usd));
        d.cost("previous_cost", g.previous_cost, static_cast<double>(prev.usd));
        d.rate("tokens_per_request", g.tokens_per_request, tokens_per_request(cur));
        d.rate("previous_tokens_per_request", g.previous_tokens_per_request, tokens_per_request(prev));
        d.rate("cache_hit_rate", g.cache_hit_rate, cur.cache_hit_rate());
        d.rate("previous_cache_hit_rate", g.previous_cache_hit_rate, prev.cache_hit_rate());
        d.rate("failure_rate", g.failure_rate, cur.failure_rate());
        d.rate("previous_failure_rate", g.previous_failure_rate, prev.failure_rate());
        d.p95("p95_latency_ms", g.p95_latency_ms, cur.latencies);
        d.p95("previous_p95_latency_ms", g.previous_p95_latency_ms, prev.latencies);
    }
}

void check_hourly(context& c, const std::vector<an::hour_cell>& got)
{
    auto& d = c.d;
    std::int64_t calls[24] = {}, tokens[24] = {};
    for (const auto* e : c.kept)
    {
        auto h = an::to_local(c.q.time_zone, e->ts).hour;
        calls[h]++, tokens[h] += e->ev.tokens.total;
    }
    d.eq("hourly_distribution size", got.size(), std::size_t{24});
    for (std::size_t h = 0; h < std::min<std::size_t>(got.size(), 24); ++h)
    {
        differ::scope s(d, fmt::format("hourly_distribution[{}]", h));
        d.eq("hour", got[h].hour, static_cast<int>(h));
        d.eq("calls", got[h].calls, calls[h]);
        d.eq("tokens", got[h].tokens, tokens[h]);
    }
}

template <class KeyOf>
void check_contributors(
    differ& d,
    std::string_view name,
    const std::vector<an::contributor>& got,
    const totals_acc& cell,
    const event_list& events,
    KeyOf key_of,
    const dataset* aliases
)
{
    differ::scope s(d, std::string(name));
    auto want = group_by(events, key_of);
    keep_first(want, 3);
    d.eq("size", got.size(), want.size());
    for (std::size_t i = 0; i < std::min(got.size(), want.size()); ++i)
    {
        differ::scope r(d, fmt::format("[{}]", i));
        d.eq("key", got[i].key, want[i].key);
        std::string alias;
        if (aliases)
            if (auto it = aliases->aliases.find(want[i].key); it != aliases->aliases.end())
                alias = it->second;
        d.eq("alias", got[i].alias, alias);
        d.eq("calls", got[i].calls, want[i].acc.calls);
        d.rate(
            "share",
            got[i].share,
            ratio(static_cast<double>(want[i].acc.calls), static_cast<double>(cell.calls))
        );
    }
}

void check_heatmap(context& c, const std::vector<an::heatmap_cell>& got)
{
    auto& d = c.d;
    std::vector<event_list> cells(168);
    for (const auto* e : c.kept)
    {
        auto l = an::to_local(c.q.time_zone, e->ts);
        cells[static_cast<std::size_t>(l.weekday * 24 + l.hour)].push_back(e);
    }
    d.eq("heatmap size", got.size(), std::size_t{168});
    for (std::size_t i = 0; i < std::min<std::size_t>(got.size(), 168); ++i)
    {
        differ::scope s(d, fmt::format("heatmap[{}]", i));
        const auto& g = got[i];
        auto acc = accumulate(cells[i]);
        d.eq("weekday", g.weekday, static_cast<int>(i / 24));
        d.eq("hour", g.hour, static_cast<int>(i % 24));
        d.eq("calls", g.calls, acc.calls);
        d.eq("success", g.success, acc.success());
        d.eq("failure", g.failure, acc.failure);
        d.eq("tokens", g.tokens, acc.total);
        d.cost("cost", g.cost, static_cast<double>(acc.usd));
        d.rate("failure_rate", g.failure_rate, acc.failure_rate());
        check_contributors(
            d,
            "top_models",
            g.top_models,
            acc,
            cells[i],
            [](const oracle_event& e) { return e.ev.model; },
            nullptr
        );
        check_contributors(
            d,
            "top_api_keys",
            g.top_api_keys,
            acc,
            cells[i],
            [](const oracle_event& e) { return e.ev.api_key_hash; },
            &c.ds
        );
        check_contributors(
            d,
            "top_providers",
            g.top_providers,
            acc,
            cells[i],
            [](const oracle_event& e) { return e.ev.provider; },
            nullptr
        );
    }
}

void check_model_rows(
    differ& d,
    std::string_view name,
    const std::vector<an::model_row>& got,
    const event_list& events,
    std::size_t limit
)
{
    auto want = group_by(events, [](const oracle_event& e) { return e.ev.model; });
    keep_first(want, limit);
    auto all = accumulate(events);
    d.eq(fmt::format("{} size", name), got.size(), want.size());
    for (std::size_t i = 0; i < std::min(got.size(), want.size()); ++i)
    {
        differ::scope s(d, fmt::format("{}[{}]", name, i));
        const auto& w = want[i].acc;
        d.eq("model", got[i].model, want[i].key);
        check_totals(d, got[i].totals, w);
        d.rate(
            "calls_share",
            got[i].calls_share,
            ratio(static_cast<double>(w.calls), static_cast<double>(all.calls))
        );
        d.rate(
            "tokens_share",
            got[i].tokens_share,
            ratio(static_cast<double>(w.total), static_cast<double>(all.total))
        );
        d.near(
            "cost_share",
            got[i].cost_share,
            ratio(static_cast<double>(w.usd), static_cast<double>(all.usd)),
            1e-9
        );
    }
}

std::string channel_of(const oracle_event& e)
{
    return first_non_empty({e.ev.auth_index, e.ev.source, "-"});
}

void check_channel_rows(
    differ& d,
    std::string_view name,
    const std::vector<an::channel_row>& got,
    const event_list& events,
    std::size_t limit
)
{
    auto want = group_by(events, channel_of);
    keep_first(want, limit);
    auto all = accumulate(events);
    d.eq(fmt::format("{} size", name), got.size(), want.size());
    for (std::size_t i = 0; i < std::min(got.size(), want.size()); ++i)
    {
        differ::scope s(d, fmt::format("{}[{}]", name, i));
        const auto& w = want[i].acc;
        d.eq("channel", got[i].channel, want[i].key);
        check_names(d, got[i].names, *w.newest);
        check_totals(d, got[i].totals, w);
        d.rate(
            "calls_share",
            got[i].calls_share,
            ratio(static_cast<double>(w.calls), static_cast<double>(all.calls))
        );
        d.near(
            "cost_share",
            got[i].cost_share,
            ratio(static_cast<double>(w.usd), static_cast<double>(all.usd)),
            1e-9
        );
    }
}

void check_keyed(
    differ& d, std::string_view name, const std::vector<an::keyed_totals>& got, const std::vector<group>& want
)
{
    d.eq(fmt::format("{} size", name), got.size(), want.size());
    for (std::size_t i = 0; i < std::min(got.size(), want.size()); ++i)
    {
        differ::scope s(d, fmt::format("{}[{}]", name, i));
        d.eq("key", got[i].key, want[i].key);
        check_totals(d, got[i].totals, want[i].acc);
    }
}

std::string model_of(const oracle_event& e)
{
    return e.ev.model;
}
std::string account_of(const oracle_event& e)
{
    return e.account;
}

void check_account_rows(
    differ& d,
    std::string_view name,
    const std::vector<an::account_row>& got,
    const event_list& events,
    std::size_t limit,
    bool skip_empty
)
{
    auto want = group_by(events, account_of, skip_empty);
    keep_first(want, limit);
    d.eq(fmt::format("{} size", name), got.size(), want.size());
    for (std::size_t i = 0; i < std::min(got.size(), want.size()); ++i)
    {
        differ::scope s(d, fmt::format("{}[{}]", name, i));
        d.eq("account", got[i].account, want[i].key);
        check_names(d, got[i].names, *want[i].acc.newest);
        check_totals(d, got[i].totals, want[i].acc);
        check_keyed(d, "models", got[i].models, group_by(want[i].events, model_of));
    }
}

void check_api_key_rows(
    differ& d,
    const dataset& ds,
    std::string_view name,
    const std::vector<an::api_key_row>& got,
    const event_list& events,
    std::size_t limit,
    bool skip_empty
)
{
    auto want = group_by(
        events, [](const oracle_event& e) { return e.ev.api_key_hash; }, skip_empty
    );
    keep_first(want, limit);
    d.eq(fmt::format("{} size", name), got.size(), want.size());
    for (std::size_t i = 0; i < std::min(got.size(), want.size()); ++i)
    {
        differ::scope s(d, fmt::format("{}[{}]", name, i));
        d.eq("api_key_hash", got[i].api_key_hash, want[i].key);
        auto it = ds.aliases.find(want[i].key);
        d.eq("alias", got[i].alias, it == ds.aliases.end() ? std::string() : it->second);
        check_totals(d, got[i].totals, want[i].acc);
        check_keyed(d, "models", got[i].models, group_by(want[i].events, model_of));
        check_keyed(d, "accounts", got[i].accounts, group_by(want[i].events, account_of));
    }
}

void check_failure_sources(context& c, const std::vector<an::failure_source_row>& got)
{
    auto& d = c.d;
    struct row
    {
        std::string source_hash, auth_index;
        totals_acc acc;
        std::int64_t last_failure = 0;
    };
    std::map<std::pair<std::string, std::string>, row> by;
    for (const auto* e : c.kept)
    {
        auto& r = by[{e->ev.source_hash, e->ev.auth_index}];
        r.source_hash = e->ev.source_hash, r.auth_index = e->ev.auth_index;
        r.acc.add(*e);
        if (e->ev.failed)
            r.last_failure = std::max(r.last_failure, e->ts);
    }
    std::vector<row> want;
    for (auto& [k, r] : by)
        if (r.acc.failure > 0)
            want.push_back(std::move(r));
    std::stable_sort(
        want.begin(),
        want.end(),
        [](const row& a, const row& b) {
            return a.acc.failure != b.acc.failure ? a.acc.failure > b.acc.failure
                                                  : a.last_failure > b.last_failure;
        }
    );
    d.eq("failure_sources size", got.size(), want.size());
    for (std::size_t i = 0; i < std::min(got.size(), want.size()); ++i)
    {
        differ::scope s(d, fmt::format("failure_sources[{}]", i));
        const auto& w = want[i];
        check_names(d, got[i].names, *w.acc.newest);
        d.eq("calls", got[i].calls, w.acc.calls);
        d.eq("failures", got[i].failures, w.acc.failure);
        d.rate("failure_rate", got[i].failure_rate, w.acc.failure_rate());
        d.eq("last_seen_ms", got[i].last_seen_ms, w.acc.newest->ts);
        d.eq("last_failure_ms", got[i].last_failure_ms, w.last_failure);
        d.near("average_latency_ms", got[i].average_latency_ms, w.acc.average_latency(), 1e-9, 1e-12);
    }
}

void check_credential_rows(context& c, const std::vector<an::credential_row>& got)
{
    auto& d = c.d;
    auto want = group_by(c.kept, [](const oracle_event& e) { return e.credential_id; });
    d.eq("credential_stats size", got.size(), want.size());
    for (std::size_t i = 0; i < std::min(got.size(), want.size()); ++i)
    {
        differ::scope s(d, fmt::format("credential_stats[{}]", i));
        d.eq("credential_id", got[i].credential_id, want[i].key);
        check_names(d, got[i].names, *want[i].acc.newest);
        check_totals(d, got[i].totals, want[i].acc);
    }
}

// Series cover the filter's keys in its order, or else the 5 keys with most calls.
template <class KeyOf>
void check_series(
    context& c,
    std::string_view name,
    const std::vector<an::series>& got,
    const std::vector<std::string>& filter_keys,
    KeyOf key_of,
    bool aliased
)
{
    auto& d = c.d;
    std::vector<std::string> keys = filter_keys;
    if (keys.empty())
    {
        auto top = group_by(c.kept, key_of);
        keep_first(top, 5);
        for (const auto& g : top)
            keys.push_back(g.key);
    }
    d.eq(fmt::format("{} size", name), got.size(), keys.size());
    for (std::size_t k = 0; k < std::min(got.size(), keys.size()); ++k)
    {
        differ::scope s(d, fmt::format("{}[{}]", name, k));
        d.eq("key", got[k].key, keys[k]);
        std::string alias;
        if (aliased)
            if (auto it = c.ds.aliases.find(keys[k]); it != c.ds.aliases.end())
                alias = it->second;
        d.eq("alias", got[k].alias, alias);
        event_list mine;
        for (const auto* e : c.kept)
            if (key_of(*e) == keys[k])
                mine.push_back(e);
        auto want = c.per_bucket(mine);
        d.eq("points", got[k].points.size(), want.size());
        for (std::size_t i = 0; i < std::min(got[k].points.size(), want.size()); ++i)
        {
            differ::scope p(d, fmt::format("points[{}]", i));
            const auto& g = got[k].points[i];
            d.eq("bucket_ms", g.bucket_ms, c.buckets[i].start_ms);
            d.eq("calls", g.calls, want[i].calls);
            d.eq("success", g.success, want[i].success());
            d.eq("failure", g.failure, want[i].failure);
            d.eq("total_tokens", g.total_tokens, want[i].total);
            d.cost("cost", g.cost, static_cast<double>(want[i].usd));
        }
    }
}

template <class KeyOf>
void check_option_counts(
    differ& d,
    std::string_view name,
    const std::vector<an::option_count>& got,
    const event_list& events,
    KeyOf key_of,
    std::size_t limit,
    const dataset* aliases = nullptr
)
{
    auto want = group_by(events, key_of, true);
    keep_first(want, limit);
    d.eq(fmt::format("{} size", name), got.size(), want.size());
    for (std::size_t i = 0; i < std::min(got.size(), want.size()); ++i)
    {
        differ::scope s(d, fmt::format("{}[{}]", name, i));
        d.eq("value", got[i].value, want[i].key);
        std::string alias;
        if (aliases)
            if (auto it = aliases->aliases.find(want[i].key); it != aliases->aliases.end())
                alias = it->second;
        d.eq("alias", got[i].alias, alias);
        d.eq("calls", got[i].calls, want[i].acc.calls);
    }
}

void check_filter_options(context& c, const an::filter_options& got)
{
    auto& d = c.d;
    differ::scope s(d, "filter_options");
    // The base scope: the range and the search, no other filter.
    auto base = select(
        c.ds, c.q.from_ms, c.q.to_ms, [&](const oracle_event& e) { return passes_search(c.q.filter, e); }
    );
    constexpr std::size_t limit = 200;
    check_option_counts(
        d, "providers", got.providers, base, [](const oracle_event& e) { return e.ev.provider; }, limit
    );
    check_option_counts(
        d,
        "auth_files",
        got.auth_files,
        base,
        [](const oracle_event& e) { return e.ev.auth_file_snapshot; },
        limit
    );
    check_option_counts(
        d,
        "project_ids",
        got.project_ids,
        base,
        [](const oracle_event& e) { return e.ev.auth_project_id_snapshot; },
        limit
    );
    check_option_counts(
        d,
        "request_types",
        got.request_types,
        base,
        [](const oracle_event& e) { return e.ev.endpoint; },
        limit
    );
    check_option_counts(
        d,
        "header_error_kinds",
        got.header_error_kinds,
        base,
        [](const oracle_event& e) { return e.ev.header_error_kind; },
        limit
    );
    check_option_counts(
        d,
        "header_error_codes",
        got.header_error_codes,
        base,
        [](const oracle_event& e) { return e.ev.header_error_code; },
        limit
    );
    check_option_counts(
        d,
        "header_quota_plans",
        got.header_quota_plans,
        base,
        [](const oracle_event& e) { return e.ev.header_quota_plan_type; },
        limit
    );
    check_option_counts(
        d,
        "header_trace_ids",
        got.header_trace_ids,
        base,
        [](const oracle_event& e) { return e.ev.header_trace_id; },
        limit
    );
    check_model_rows(d, "models", got.models, base, limit);
    check_account_rows(d, "accounts", got.accounts, base, limit, true);
    check_api_key_rows(d, c.ds, "api_keys", got.api_keys, base, limit, true);
    check_channel_rows(d, "channels", got.channels, base, limit);
}

void check_filter_selectors(context& c, const an::filter_selectors& got)
{
    auto& d = c.d;
    differ::scope s(d, "filter_selectors");
    auto range = select(c.ds, c.q.from_ms, c.q.to_ms, [](const oracle_event&) { return true; });
    constexpr std::size_t limit = 500;
    check_option_counts(d, "models", got.models, range, model_of, limit);
    check_option_counts(
        d,
        "api_keys",
        got.api_keys,
        range,
        [](const oracle_event& e) { return e.ev.api_key_hash; },
        limit,
        &c.ds
    );
    check_option_counts(
        d, "providers", got.providers, range, [](const oracle_event& e) { return e.ev.provider; }, limit
    );
    check_option_counts(
        d,
        "auth_files",
        got.auth_files,
        range,
        [](const oracle_event& e) { return e.ev.auth_file_snapshot; },
        limit
    );
    check_option_counts(d, "accounts", got.accounts, range, account_of, limit);
    d.eq("total_calls", got.total_calls, static_cast<std::int64_t>(range.size()));
}

std::vector<std::string> distinct_sorted(const event_list& events, std::string (*field)(const oracle_event&))
{
    std::set<std::string> s;
    for (const auto* e : events)
        s.insert(field(*e));
    return {s.begin(), s.end()};
}

void check_task_buckets(context& c, const std::vector<an::task_bucket>& got)
{
    auto& d = c.d;
    struct task
    {
        std::string key;
        std::int64_t ts = 0;
        totals_acc acc;
        event_list events;
    };
    std::map<std::string, task> by;
    for (const auto* e : c.kept)
    {
        auto key = fmt::format("{}|{}|{}", e->ts_ns, e->ev.source_hash, e->ev.auth_index);
        auto& t = by[key];
        t.key = key, t.ts = e->ts_ns;
        t.acc.add(*e);
        t.events.push_back(e);
    }
    std::vector<task> want;
    for (auto& [k, t] : by)
        want.push_back(std::move(t));
    std::stable_sort(want.begin(), want.end(), [](const task& a, const task& b) { return a.ts > b.ts; });
    keep_first(want, 500);
    d.eq("task_buckets size", got.size(), want.size());
    for (std::size_t i = 0; i < std::min(got.size(), want.size()); ++i)
    {
        differ::scope s(d, fmt::format("task_buckets[{}]", i));
        const auto& w = want[i];
        const auto& g = got[i];
        d.eq("task_key", g.task_key, w.key);
        d.eq("timestamp_ms", g.timestamp_ms, cpamd::floor_div(w.ts, 1'000'000));
        check_names(d, g.names, *w.acc.newest);
        d.eq("calls", g.calls, w.acc.calls);
        d.eq("failures", g.failures, w.acc.failure);
        d.eq("total_tokens", g.total_tokens, w.acc.total);
        d.cost("cost", g.cost, static_cast<double>(w.acc.usd));
        d.eq("models", g.models, distinct_sorted(w.events, model_of));
        d.eq(
            "endpoints",
            g.endpoints,
            distinct_sorted(w.events, [](const oracle_event& e) { return e.ev.endpoint; })
        );
        d.near("average_latency_ms", g.average_latency_ms, w.acc.average_latency(), 1e-9, 1e-12);
        // The largest latency the task's events report (0 included: only "average" and the
        // percentiles are defined over samples > 0).
        std::optional<std::int64_t> max_latency;
        for (const auto* e : w.events)
            if (e->ev.latency_ms)
                max_latency = std::max(max_latency.value_or(*e->ev.latency_ms), *e->ev.latency_ms);
        d.eq("max_latency_ms", g.max_latency_ms, max_latency);
    }
}

// The events strictly older than (before_ms, before_id), newest first.
event_list older_than(
    const event_list& newest_first_list,
    std::optional<std::int64_t> before_ms,
    std::optional<std::int64_t> before_id
)
{
    if (!before_ms)
        return newest_first_list;
    event_list out;
    for (const auto* e : newest_first_list)
        if (e->ts < *before_ms || (e->ts == *before_ms && e->id < before_id.value_or(INT64_MIN)))
            out.push_back(e);
    return out;
}

// One page against the expected rest of the list (newest first); true when it says there is more.
bool check_page(
    differ& d, const an::events_page& got, const event_list& rest, std::size_t limit, std::int64_t total
)
{
    event_list page(rest.begin(), rest.begin() + static_cast<std::ptrdiff_t>(std::min(limit, rest.size())));
    check_items(d, got.items, page);
    d.eq("total_count", got.total_count, total);
    d.eq("has_more", got.has_more, rest.size() > limit);
    if (got.has_more && !got.items.empty())
    {
        d.eq(
            "next_before_ms", got.next_before_ms, std::optional<std::int64_t>(got.items.back().timestamp_ms)
        );
        d.eq("next_before_id", got.next_before_id, std::optional<std::int64_t>(got.items.back().id));
    }
    return got.has_more;
}

// The first page came with the query; walking on asks for the events page alone.
void check_events_page(context& c, store::connection& db, const an::events_page& first, bool walk)
{
    auto& d = c.d;
    const auto& req = *c.q.include.events_page;
    const auto all = newest_first(c.kept);
    const auto total = static_cast<std::int64_t>(all.size());
    const auto limit = static_cast<std::size_t>(req.limit);
    auto rest = older_than(all, req.before_ms, req.before_id);
    {
        differ::scope s(d, "events[0]");
        if (!check_page(d, first, rest, limit, total) || !walk)
            return;
    }
    an::monitoring_query q;
    q.from_ms = c.q.from_ms, q.to_ms = c.q.to_ms, q.now_ms = c.q.now_ms, q.time_zone = c.q.time_zone;
    q.filter = c.q.filter;
    q.include.events_page = req;
    for (std::size_t page = 1; rest.size() > limit && page <= all.size() / limit + 2; ++page)
    {
        // Continue from the expected keyset even when the previous page was wrong.
        const auto* last = rest[limit - 1];
        q.include.events_page->before_ms = last->ts;
        q.include.events_page->before_id = last->id;
        rest.erase(rest.begin(), rest.begin() + static_cast<std::ptrdiff_t>(limit));
        auto got = an::run_monitoring(db, q);
        differ::scope s(d, fmt::format("events[{}]", page));
        if (!d.present("events", got.events, true))
            return;
        check_page(d, *got.events, rest, limit, total);
    }
}

void check_recent_failures(context& c, const std::vector<an::event_item>& got)
{
    differ::scope s(c.d, "recent_failures");
    event_list failures;
    for (const auto* e : newest_first(c.kept))
        if (e->ev.failed)
            failures.push_back(e);
    keep_first(failures, static_cast<std::size_t>(c.q.include.recent_failures));
    check_items(c.d, got, failures);
}

// The clicked bucket's events, under the same filter, whether or not it lies in the range.
void check_drilldown(context& c, const an::drilldown_preview& got)
{
    auto& d = c.d;
    differ::scope s(d, "drilldown");
    const auto& req = *c.q.include.drilldown_preview;
    auto all = newest_first(c.filtered(req.from_ms, req.to_ms));
    d.eq("from_ms", got.from_ms, req.from_ms);
    d.eq("to_ms", got.to_ms, req.to_ms);
    d.eq("total_count", got.total_count, static_cast<std::int64_t>(all.size()));
    keep_first(all, static_cast<std::size_t>(req.limit));
    check_items(d, got.items, all);
}

struct query_case
{
    an::monitoring_query q;
    bool walk_pages = false;
};

void check_result(
    const dataset& ds,
    store::connection& db,
    const query_case& qc,
    const an::monitoring_result& got,
    differ& d
)
{
    const auto& q = qc.q;
    const auto& inc = q.include;
    context c{ds, q, d, inc.timeline_granularity.value_or(an::auto_granularity(q.from_ms, q.to_ms)), {}, {}};
    c.buckets = an::buckets(q.time_zone, q.from_ms, q.to_ms, c.g);
    c.kept = c.filtered(q.from_ms, q.to_ms);

    d.eq("from_ms", got.from_ms, q.from_ms);
    d.eq("to_ms", got.to_ms, q.to_ms);
    d.eq("time_zone", got.time_zone, std::string(q.time_zone.name()));
    if (inc.timeline || inc.credential_timeline || inc.api_key_timeline || inc.anomaly_points)
        d.eq("granularity", got.granularity, std::string(c.g == an::granularity::hour ? "hour" : "day"));

    if (d.present("summary", got.summary, inc.summary))
        check_summary(c, *got.summary);
    if (d.present("comparison", got.comparison, inc.summary_comparison))
        check_comparison(c, *got.comparison);
    if (d.present("timeline", got.timeline, inc.timeline))
        check_timeline(c, *got.timeline);
    if (d.present("hourly_distribution", got.hourly_distribution, inc.hourly_distribution))
        check_hourly(c, *got.hourly_distribution);
    if (d.present("heatmap", got.heatmap, inc.heatmap))
        check_heatmap(c, *got.heatmap);
    if (d.present("anomaly_points", got.anomaly_points, inc.anomaly_points))
    {
        if (got.timeline)
            check_anomalies(c, *got.anomaly_points, *got.timeline);
        else
        {
            auto tq = q;
            tq.include = {};
            tq.include.timeline = true;
            tq.include.timeline_granularity = c.g;
            auto reference = an::run_monitoring(db, tq);
            if (d.present("anomaly reference timeline", reference.timeline, true))
                check_anomalies(c, *got.anomaly_points, *reference.timeline);
        }
    }
    if (d.present("model_share", got.model_share, inc.model_share))
        check_model_rows(d, "model_share", *got.model_share, c.kept, SIZE_MAX);
    if (d.present("model_stats", got.model_stats, inc.model_stats))
        check_model_rows(d, "model_stats", *got.model_stats, c.kept, SIZE_MAX);
    if (d.present("channel_share", got.channel_share, inc.channel_share))
        check_channel_rows(d, "channel_share", *got.channel_share, c.kept, SIZE_MAX);
    if (d.present("failure_sources", got.failure_sources, inc.failure_sources))
        check_failure_sources(c, *got.failure_sources);
    if (d.present("account_stats", got.account_stats, inc.account_stats))
        check_account_rows(d, "account_stats", *got.account_stats, c.kept, SIZE_MAX, false);
    if (d.present("credential_stats", got.credential_stats, inc.credential_stats))
        check_credential_rows(c, *got.credential_stats);
    if (d.present("credential_timeline", got.credential_timeline, inc.credential_timeline))
        check_series(
            c,
            "credential_timeline",
            *got.credential_timeline,
            q.filter.credential_ids,
            [](const oracle_event& e) { return e.credential_id; },
            false
        );
    if (d.present("api_key_stats", got.api_key_stats, inc.api_key_stats))
        check_api_key_rows(d, ds, "api_key_stats", *got.api_key_stats, c.kept, SIZE_MAX, false);
    if (d.present("api_key_timeline", got.api_key_timeline, inc.api_key_timeline))
        check_series(
            c,
            "api_key_timeline",
            *got.api_key_timeline,
            q.filter.api_key_hashes,
            [](const oracle_event& e) { return e.ev.api_key_hash; },
            true
        );
    if (d.present("filter_options", got.options, inc.filter_options))
        check_filter_options(c, *got.options);
    if (d.present("filter_selectors", got.selectors, inc.filter_selectors))
        check_filter_selectors(c, *got.selectors);
    if (d.present("task_buckets", got.task_buckets, inc.task_buckets))
        check_task_buckets(c, *got.task_buckets);
    if (d.present("recent_failures", got.recent_failures, inc.recent_failures > 0))
        check_recent_failures(c, *got.recent_failures);
    if (d.present("events", got.events, inc.events_page.has_value()))
        check_events_page(c, db, *got.events, qc.walk_pages);
    if (d.present("drilldown", got.drilldown, inc.drilldown_preview.has_value()))
        check_drilldown(c, *got.drilldown);
}

// ---- random queries -----------------------------------------------------------------------------

constexpr const char* zone_names[] = {
    "UTC", "Asia/Shanghai", "Asia/Kolkata", "Asia/Kathmandu", "America/New_York", "Europe/Berlin"};

// An instant on a whole hour, :30, :45 or anywhere.
std::int64_t snap(rng_t& rng, std::int64_t ms)
{
    auto hour = ms - ms % ms_per_hour;
    switch (rng.below(4))
    {
    case 0:
        return hour;
    case 1:
        return hour + 30 * ms_per_minute;
    case 2:
        return hour + 45 * ms_per_minute;
    default:
        return ms;
    }
}

void random_range(rng_t& rng, an::monitoring_query& q)
{
    std::int64_t length = 0;
    switch (rng.below(4))
    {
    case 0:
        length = rng.between(ms_per_minute, 2 * ms_per_hour);
        break;
    case 1:
        length = rng.between(2 * ms_per_hour, ms_per_day);
        break;
    case 2:
        length = rng.between(ms_per_day, 3 * ms_per_day);
        break;
    default:
        length = rng.between(3 * ms_per_day, 13 * ms_per_day);
    }
    if (rng.chance(0.5))
        length = std::max(ms_per_hour, length - length % ms_per_hour);
    std::int64_t from = data_start_ms - ms_per_day + rng.below(12 * ms_per_day);
    if (rng.chance(0.2)) // across New York's change, amid the data
        from = ny_dst_ms - rng.below(30 * ms_per_hour);
    else if (rng.chance(0.06)) // across the year's other changes: no data, but buckets and labels
        from = rng.pick(other_dst_changes_ms) - rng.below(30 * ms_per_hour);
    q.from_ms = snap(rng, from);
    q.to_ms = q.from_ms + length;
    switch (rng.below(4))
    {
    case 0:
    case 1:
        q.now_ms = q.to_ms;
        break;
    case 2:
        q.now_ms = q.from_ms + rng.below(length + 1);
        break;
    default:
        q.now_ms = data_start_ms + rng.below(data_days * ms_per_day);
    }
}

const oracle_event& random_event(rng_t& rng, const dataset& ds)
{
    return ds.events[static_cast<std::size_t>(rng.below(static_cast<std::int64_t>(ds.events.size())))];
}

// A non-empty value of the field from some event, or "" when none was found.
std::string value_from_data(rng_t& rng, const dataset& ds, std::string (*field)(const oracle_event&, rng_t&))
{
    for (int tries = 0; tries < 50; ++tries)
        if (auto v = field(random_event(rng, ds), rng); !v.empty())
            return v;
    return {};
}

struct list_filter
{
    std::vector<std::string> an::monitoring_filter::*member;
    std::string (*value_of)(const oracle_event&, rng_t&);
};

const list_filter list_filters[] = {
    {&an::monitoring_filter::models, [](const oracle_event& e, rng_t&) { return e.ev.model; }},
    {&an::monitoring_filter::providers,
     [](const oracle_event& e, rng_t& rng)
     { return rng.chance(0.5) ? e.ev.provider : e.ev.auth_provider_snapshot; }},
    {&an::monitoring_filter::accounts,
     [](const oracle_event& e, rng_t& rng)
     {
         const std::string* fields[] = {
             &e.ev.account_snapshot, &e.ev.auth_label_snapshot, &e.ev.source, &e.ev.auth_index};
         return *rng.pick(fields);
     }},
    {&an::monitoring_filter::api_key_hashes, [](const oracle_event& e, rng_t&) { return e.ev.api_key_hash; }},
    {&an::monitoring_filter::credential_ids, [](const oracle_event& e, rng_t&) { return e.credential_id; }},
    {&an::monitoring_filter::auth_files,
     [](const oracle_event& e, rng_t&) { return e.ev.auth_file_snapshot; }},
    {&an::monitoring_filter::auth_indices, [](const oracle_event& e, rng_t&) { return e.ev.auth_index; }},
    {&an::monitoring_filter::source_hashes, [](const oracle_event& e, rng_t&) { return e.ev.source_hash; }},
    {&an::monitoring_filter::project_ids,
     [](const oracle_event& e, rng_t&) { return e.ev.auth_project_id_snapshot; }},
    {&an::monitoring_filter::request_types, [](const oracle_event& e, rng_t&) { return e.ev.endpoint; }},
    {&an::monitoring_filter::header_error_kinds,
     [](const oracle_event& e, rng_t&) { return e.ev.header_error_kind; }},
    {&an::monitoring_filter::header_error_codes,
     [](const oracle_event& e, rng_t&) { return e.ev.header_error_code; }},
    {&an::monitoring_filter::header_quota_plans,
     [](const oracle_event& e, rng_t&) { return e.ev.header_quota_plan_type; }},
    {&an::monitoring_filter::header_trace_ids,
     [](const oracle_event& e, rng_t&) { return e.ev.header_trace_id; }},
};

std::string random_case(rng_t& rng, std::string s)
{
    for (auto& ch : s)
        if (rng.chance(0.5) && ch >= 'a' && ch <= 'z')
            ch = static_cast<char>(ch - 'a' + 'A');
    return s;
}

std::string random_search(rng_t& rng, const dataset& ds)
{
    switch (rng.below(10))
    {
    case 0:
        return "zz-no-such-text";
    case 1: // a key hash prefix (8+ characters)
        return random_event(rng, ds).ev.api_key_hash.substr(0, static_cast<std::size_t>(rng.between(8, 16)));
    case 2: // an alias
        return random_case(
            rng, rng.pick(ds.aliases).second.substr(0, static_cast<std::size_t>(rng.between(3, 8)))
        );
    default:
        break;
    }
    auto text = value_from_data(
        rng,
        ds,
        [](const oracle_event& e, rng_t& r)
        {
            const std::string* fields[] = {
                &e.ev.model,
                &e.ev.source,
                &e.ev.request_id,
                &e.ev.endpoint,
                &e.ev.fail_summary,
                &e.ev.header_trace_id,
                &e.ev.account_snapshot,
                &e.ev.auth_file_snapshot,
                &e.ev.auth_project_id_snapshot,
                &e.ev.resolved_model,
                &e.ev.auth_index};
            return *r.pick(fields);
        }
    );
    auto len = std::min<std::int64_t>(static_cast<std::int64_t>(text.size()), rng.between(2, 8));
    auto at = rng.below(static_cast<std::int64_t>(text.size()) - len + 1);
    return random_case(rng, text.substr(static_cast<std::size_t>(at), static_cast<std::size_t>(len)));
}

void random_filter(rng_t& rng, const dataset& ds, an::monitoring_filter& f)
{
    auto lists = rng.pick(std::array<int, 20>{0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 2, 2, 2, 3});
    for (int i = 0; i < lists; ++i)
    {
        const auto& lf = rng.pick(list_filters);
        auto& list = f.*lf.member;
        list.clear();
        for (auto n = rng.between(1, 2); n > 0; --n)
        {
            auto v = rng.chance(0.15) ? std::string("absent-value") : value_from_data(rng, ds, lf.value_of);
            if (!v.empty() && std::find(list.begin(), list.end(), v) == list.end())
                list.push_back(v);
        }
    }
    if (rng.chance(0.12))
        f.include_failed = false;
    if (rng.chance(0.1))
        f.failed_only = true;
    if (rng.chance(0.15))
        f.min_latency_ms = rng.pick(std::array<std::int64_t, 4>{1, 500, 5000, 20'000});
    if (rng.chance(0.3))
        f.cache_status = rng.pick(std::array<const char*, 4>{"hit", "miss", "read", "creation"});
    if (rng.chance(0.25))
        f.search_query = random_search(rng, ds);
    if (rng.chance(0.1))
        f.search_api_key_hash = random_event(rng, ds).ev.api_key_hash;
}

void random_include(rng_t& rng, const dataset& ds, query_case& qc)
{
    auto& q = qc.q;
    auto& inc = q.include;
    inc.summary = rng.chance(0.6);
    inc.profile = rng.chance(0.5) ? an::summary_profile::full : an::summary_profile::compact;
    inc.summary_percentiles = rng.chance(0.3);
    inc.summary_comparison = rng.chance(0.35);
    inc.timeline = rng.chance(0.5);
    switch (rng.below(3))
    {
    case 0:
        inc.timeline_granularity = an::granularity::hour;
        break;
    case 1:
        inc.timeline_granularity = an::granularity::day;
        break;
    default:
        break; // auto
    }
    for (bool* flag :
         {&inc.hourly_distribution,
          &inc.heatmap,
          &inc.anomaly_points,
          &inc.model_share,
          &inc.model_stats,
          &inc.channel_share,
          &inc.failure_sources,
          &inc.account_stats,
          &inc.credential_stats,
          &inc.credential_timeline,
          &inc.api_key_stats,
          &inc.api_key_timeline,
          &inc.task_buckets})
        *flag = rng.chance(0.3);
    inc.filter_options = rng.chance(0.25);
    inc.filter_selectors = rng.chance(0.25);
    if (rng.chance(0.3))
        inc.recent_failures = static_cast<int>(rng.between(1, 30));
    if (rng.chance(0.35))
    {
        an::events_page_request page;
        // Walks run a query per page: only over few events, with small pages.
        std::size_t kept = 0;
        for (const auto& e : ds.events)
            kept += e.ts >= q.from_ms && e.ts < q.to_ms && passes_filter(q.filter, e);
        qc.walk_pages = kept <= 400 && rng.chance(0.7);
        if (qc.walk_pages)
            page.limit = static_cast<int>(rng.between(7, 7 + static_cast<std::int64_t>(kept) / 12));
        else
        {
            page.limit = static_cast<int>(rng.between(1, 60));
            if (rng.chance(0.5))
            {
                const auto& e = random_event(rng, ds);
                page.before_ms = e.ts;
                page.before_id = e.id + rng.between(-1, 1);
            }
        }
        inc.events_page = page;
    }
    if (rng.chance(0.25))
    {
        an::drilldown_request dr;
        auto g = inc.timeline_granularity.value_or(an::auto_granularity(q.from_ms, q.to_ms));
        auto bs = an::buckets(q.time_zone, q.from_ms, q.to_ms, g);
        if (rng.chance(0.8) && !bs.empty())
        {
            const auto& b = rng.pick(bs);
            dr.from_ms = b.start_ms, dr.to_ms = b.end_ms;
        }
        else // a bucket outside the range, maybe
        {
            dr.from_ms = snap(rng, data_start_ms + rng.below(data_days * ms_per_day));
            dr.to_ms = dr.from_ms + ms_per_hour;
        }
        dr.limit = static_cast<int>(rng.between(1, 40));
        inc.drilldown_preview = dr;
    }
}

// A query asking for one section only: whatever the others would have computed on the way is
// then not there to borrow.
void lone_section(rng_t& rng, an::monitoring_include& inc)
{
    const auto granularity = inc.timeline_granularity;
    inc = {};
    inc.timeline_granularity = granularity;
    bool an::monitoring_include::*const lone[] = {
        &an::monitoring_include::summary,
        &an::monitoring_include::summary_comparison,
        &an::monitoring_include::timeline,
        &an::monitoring_include::anomaly_points,
        &an::monitoring_include::hourly_distribution,
        &an::monitoring_include::heatmap,
        &an::monitoring_include::credential_timeline,
        &an::monitoring_include::api_key_timeline,
        &an::monitoring_include::filter_options,
        &an::monitoring_include::filter_selectors,
        &an::monitoring_include::task_buckets,
    };
    inc.*rng.pick(lone) = true;
}

// A query the projections can answer (store/projections.hpp): sections and filters over model,
// endpoint and outcome only, so the route reads projected hours as rows.
void projection_shaped(query_case& qc)
{
    auto& inc = qc.q.include;
    for (bool* flag :
         {&inc.heatmap,
          &inc.channel_share,
          &inc.failure_sources,
          &inc.account_stats,
          &inc.credential_stats,
          &inc.credential_timeline,
          &inc.api_key_stats,
          &inc.api_key_timeline,
          &inc.task_buckets})
        *flag = false;
    auto& f = qc.q.filter;
    for (auto* list :
         {&f.providers,
          &f.accounts,
          &f.api_key_hashes,
          &f.credential_ids,
          &f.auth_files,
          &f.auth_indices,
          &f.source_hashes,
          &f.project_ids,
          &f.header_error_kinds,
          &f.header_error_codes,
          &f.header_quota_plans,
          &f.header_trace_ids})
        list->clear();
    f.min_latency_ms = 0;
    f.cache_status.clear();
    f.search_query.clear();
    f.search_api_key_hash.clear();
}

// A query the daily identity projections can answer: no section that needs events one by one,
// no filter on what only an event holds (search, latency, cache, headers).
void identity_shaped(query_case& qc)
{
    auto& inc = qc.q.include;
    for (bool* flag : {&inc.heatmap, &inc.credential_timeline, &inc.api_key_timeline, &inc.task_buckets})
        *flag = false;
    auto& f = qc.q.filter;
    for (auto* list :
         {&f.header_error_kinds, &f.header_error_codes, &f.header_quota_plans, &f.header_trace_ids})
        list->clear();
    f.min_latency_ms = 0;
    f.cache_status.clear();
    f.search_query.clear();
    f.search_api_key_hash.clear();
}

// A query the hourly usage rows can answer (store/usage_rows.hpp): filters by API key, or by
// credential fields, and outcome only; at most one series, and by the same kind.
void usage_shaped(rng_t& rng, query_case& qc)
{
    identity_shaped(qc);
    auto& f = qc.q.filter;
    f.models.clear();
    f.request_types.clear();
    const bool by_key = rng.chance(0.5);
    if (by_key)
        for (auto* list :
             {&f.providers,
              &f.accounts,
              &f.credential_ids,
              &f.auth_files,
              &f.auth_indices,
              &f.source_hashes,
              &f.project_ids})
            list->clear();
    else
        f.api_key_hashes.clear();
    auto& inc = qc.q.include;
    if (rng.chance(0.3))
        (by_key ? inc.api_key_timeline : inc.credential_timeline) = true;
}

query_case random_query(rng_t& rng, const dataset& ds)
{
    query_case qc;
    random_range(rng, qc.q);
    auto zone = an::find_zone(rng.pick(zone_names));
    REQUIRE(zone.has_value());
    qc.q.time_zone = *zone;
    random_filter(rng, ds, qc.q.filter);
    random_include(rng, ds, qc);
    if (rng.chance(0.06))
        lone_section(rng, qc.q.include);
    if (auto r = rng.below(100); r < 25)
        projection_shaped(qc);
    else if (r < 45)
        identity_shaped(qc);
    else if (r < 70)
        usage_shaped(rng, qc);
    return qc;
}

std::string describe(const query_case& qc)
{
    const auto& q = qc.q;
    const auto& f = q.filter;
    const auto& inc = q.include;
    std::string filters;
    auto list = [&](const char* name, const std::vector<std::string>& v)
    {
        if (!v.empty())
            filters += fmt::format(" {}=[{}]", name, fmt::join(v, ","));
    };
    list("models", f.models);
    list("providers", f.providers);
    list("accounts", f.accounts);
    list("api_key_hashes", f.api_key_hashes);
    list("credential_ids", f.credential_ids);
    list("auth_files", f.auth_files);
    list("auth_indices", f.auth_indices);
    list("source_hashes", f.source_hashes);
    list("project_ids", f.project_ids);
    list("request_types", f.request_types);
    list("header_error_kinds", f.header_error_kinds);
    list("header_error_codes", f.header_error_codes);
    list("header_quota_plans", f.header_quota_plans);
    list("header_trace_ids", f.header_trace_ids);
    if (!f.include_failed)
        filters += " include_failed=false";
    if (f.failed_only)
        filters += " failed_only";
    if (f.min_latency_ms > 0)
        filters += fmt::format(" min_latency_ms={}", f.min_latency_ms);
    if (!f.cache_status.empty())
        filters += " cache_status=" + f.cache_status;
    if (!f.search_query.empty())
        filters += fmt::format(" search_query=\"{}\"", f.search_query);
    if (!f.search_api_key_hash.empty())
        filters += " search_api_key_hash=" + f.search_api_key_hash;
    std::string page, drill;
    if (inc.events_page)
        page = fmt::format(
            " events_page(limit {}, before {}/{}{})",
            inc.events_page->limit,
            inc.events_page->before_ms.value_or(-1),
            inc.events_page->before_id.value_or(-1),
            qc.walk_pages ? ", walked" : ""
        );
    if (inc.drilldown_preview)
        drill = fmt::format(
            " drilldown([{}, {}) limit {})",
            inc.drilldown_preview->from_ms,
            inc.drilldown_preview->to_ms,
            inc.drilldown_preview->limit
        );
    std::vector<std::string> asked;
    auto flag = [&](const char* name, bool on)
    {
        if (on)
            asked.emplace_back(name);
    };
    flag("summary", inc.summary);
    flag("summary_percentiles", inc.summary_percentiles);
    flag("summary_comparison", inc.summary_comparison);
    flag("timeline", inc.timeline);
    flag("hourly_distribution", inc.hourly_distribution);
    flag("heatmap", inc.heatmap);
    flag("anomaly_points", inc.anomaly_points);
    flag("model_share", inc.model_share);
    flag("model_stats", inc.model_stats);
    flag("channel_share", inc.channel_share);
    flag("failure_sources", inc.failure_sources);
    flag("account_stats", inc.account_stats);
    flag("credential_stats", inc.credential_stats);
    flag("credential_timeline", inc.credential_timeline);
    flag("api_key_stats", inc.api_key_stats);
    flag("api_key_timeline", inc.api_key_timeline);
    flag("filter_options", inc.filter_options);
    flag("filter_selectors", inc.filter_selectors);
    flag("task_buckets", inc.task_buckets);
    if (inc.recent_failures > 0)
        asked.push_back(fmt::format("recent_failures:{}", inc.recent_failures));
    return fmt::format(
        "[{}, {}) now {} zone {} granularity {} profile {}{}; include: {}; filter:{}",
        q.from_ms,
        q.to_ms,
        q.now_ms,
        q.time_zone.name(),
        inc.timeline_granularity ? (*inc.timeline_granularity == an::granularity::hour ? "hour" : "day")
                                 : "auto",
        inc.profile == an::summary_profile::full ? "full" : "compact",
        page + drill,
        fmt::join(asked, ","),
        filters.empty() ? " none" : filters
    );
}

std::uint64_t test_seed()
{
    if (const char* s = std::getenv("CPAMD_MONITORING_SEED"))
        return std::strtoull(s, nullptr, 10);
    return 20260308;
}

} // namespace

// A fresh database with the test prices, nothing projected until a test says so: its writer, a
// reader, and the price table the oracle prices events with.
struct priced_store
{
    test::temp_dir dir;
    store::event_writer writer{dir / "usage.sqlite", {.projection_delay = std::chrono::hours(24)}};
    store::connection reader = store::open_reader(dir / "usage.sqlite");
    pricing::price_records records = test::analytics_test_prices();
    pricing::price_table table;

    priced_store()
    {
        test::run_writer_task(
            writer, [&](store::connection& c) { store::replace_price_records(c, records); }
        );
        for (const auto& [id, rec] : records)
            table.prices.emplace(id, rec.price);
    }
};

TEST_CASE("monitoring analytics equal the raw-event oracle for random queries", "[monitoring]")
{
    const int event_count = test::sanitized_build ? 1500 : 3000;
    const int query_count = test::sanitized_build ? 300 : 800;
    const auto seed = test_seed();
    CAPTURE(seed);
    rng_t rng(seed);

    // Nothing is projected until half of the queries ran (raw only). Then the hours before the
    // middle of day 6 are, as if it were now: days 5 and 6 get hourly identity rows. At seven
    // eighths every hour is, long after (no hourly identity rows left).
    priced_store st;
    auto& [dir, writer, reader, records, table] = st;
    {
        auto events = random_events(rng, event_count);
        for (std::size_t i = 0; i < events.size(); i += 1000)
            writer.submit(
                std::vector<usage::event>(
                    events.begin() + static_cast<std::ptrdiff_t>(i),
                    events.begin() + static_cast<std::ptrdiff_t>(std::min(i + 1000, events.size()))
                ),
                {},
                {}
            );
        writer.drain();
    }
    std::map<std::string, std::string> aliases;
    for (const auto& [k, alias] : alias_of_key)
        aliases[usage::sha256_hex(api_key(k))] = alias;
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
    auto ds = read_dataset(reader, table, aliases);
    REQUIRE(ds.events.size() == static_cast<std::size_t>(event_count));
    // Three quarters in, a price changes: the usage rows priced before are stale (read raw) until
    // the hours are projected again, at seven eighths.
    const auto change_prices = [&]
    {
        auto changed = records.at("gpt-5.4");
        changed.price.rates.prompt = {4.5, true};
        test::run_writer_task(
            writer,
            [&](store::connection& c) {
                store::upsert_price_records(c, {{"gpt-5.4", changed}});
            }
        );
        table.prices.at("gpt-5.4") = changed.price;
        ds = read_dataset(reader, table, aliases);
    };

    differ d;
    int failing_queries = 0;
    // CPAMD_MONITORING_VERBOSE=1: every failing query's mismatches on stderr, unwrapped.
    const bool verbose = std::getenv("CPAMD_MONITORING_VERBOSE") != nullptr;
    if (verbose)
        d.max_messages = 400;
    for (int i = 0; i < query_count; ++i)
    {
        if (i == query_count / 2)
            test::project_hours_before(writer, data_start_ms / ms_per_hour + 6 * 24 + 13);
        if (i == query_count * 7 / 8)
            test::project_every_hour(writer);
        if (i == query_count * 3 / 4)
            change_prices();
        auto qc = random_query(rng, ds);
        auto got = an::run_monitoring(reader, qc.q);
        d.next_query();
        check_result(ds, reader, qc, got, d);
        if (!d.failures.empty() && verbose)
            fmt::print(
                stderr, "seed {} case {}: {}\n  {}\n", seed, i, describe(qc), fmt::join(d.failures, "\n  ")
            );
        if (!d.failures.empty() && ++failing_queries <= 20)
            FAIL_CHECK(
                fmt::format("seed {} case {}: {}\n  {}", seed, i, describe(qc), fmt::join(d.failures, "\n  "))
            );
    }
    std::string by_section;
    for (const auto& [section, n] : d.by_section)
        by_section += fmt::format("\n  {}: {}", section, n);
    INFO(fmt::format(
        "{} queries, {} comparisons, {} failing queries{}",
        query_count,
        d.comparisons,
        failing_queries,
        by_section
    ));
    CHECK(failing_queries == 0);
    WARN(fmt::format(
        "monitoring oracle: seed {}, {} events, {} queries, {} comparisons",
        seed,
        event_count,
        query_count,
        d.comparisons
    ));
}

TEST_CASE("anomaly rules: each flag fires at its threshold and not just below", "[monitoring]")
{
    using an::judge_anomaly;
    // Ten calls of 100 tokens, $1, half the input from cache, a quarter failed, P95 1 s.
    auto before = []
    {
        an::anomaly_input in;
        in.calls = 10, in.total_tokens = 1000, in.cost = 1.0;
        in.cache_hit_rate = 0.45, in.failure_rate = 0.25, in.p95_latency_ms = 1000.0;
        return in;
    };
    auto flags_of = [](const std::optional<an::anomaly_verdict>& v)
    { return v ? v->flags : std::vector<std::string>{}; };
    using flags = std::vector<std::string>;

    CHECK_FALSE(judge_anomaly(before(), before()).has_value());

    SECTION("request_spike: calls >= 2 x previous, previous > 0")
    {
        auto now = before();
        now.calls = 20, now.total_tokens = 2000; // same tokens per call
        auto v = judge_anomaly(before(), now);
        REQUIRE(v.has_value());
        CHECK(v->flags == flags{"request_spike"});
        CHECK(v->severity == "low");
        CHECK(v->score == Approx(10 + 1.0).epsilon(1e-12));
        now.calls = 19, now.total_tokens = 1900;
        CHECK_FALSE(judge_anomaly(before(), now).has_value());
        auto none = before();
        none.calls = 0, none.total_tokens = 0, none.cost = 0, none.p95_latency_ms.reset();
        now.calls = 50, now.total_tokens = 5000;
        CHECK(flags_of(judge_anomaly(none, now)).empty());
    }
    SECTION("cost_spike: cost >= 2 x previous, previous > 0")
    {
        auto now = before();
        now.cost = 2.0;
        auto v = judge_anomaly(before(), now);
        REQUIRE(v.has_value());
        CHECK(v->flags == flags{"cost_spike"});
        CHECK(v->severity == "low");
        CHECK(v->score == Approx(10 + 1.0).epsilon(1e-12));
        now.cost = 1.999999;
        CHECK_FALSE(judge_anomaly(before(), now).has_value());
        auto no_cost = before();
        no_cost.cost = 0;
        now.cost = 5;
        CHECK_FALSE(judge_anomaly(no_cost, now).has_value());
    }
    SECTION("tokens_per_request_spike: tokens per call >= 1.5 x previous, previous has tokens")
    {
        auto now = before();
        now.total_tokens = 1500;
        auto v = judge_anomaly(before(), now);
        REQUIRE(v.has_value());
        CHECK(v->flags == flags{"tokens_per_request_spike"});
        CHECK(v->score == Approx(10 + 0.5).epsilon(1e-12));
        now.total_tokens = 1499;
        CHECK_FALSE(judge_anomaly(before(), now).has_value());
        auto no_tokens = before();
        no_tokens.total_tokens = 0;
        now.total_tokens = 5000;
        CHECK_FALSE(judge_anomaly(no_tokens, now).has_value());
        auto no_calls = before();
        no_calls.calls = 0, no_calls.cost = 0;
        CHECK(flags_of(judge_anomaly(no_calls, now)).empty());
    }
    SECTION("cache_hit_drop: cache hit rate <= previous - 0.20, both have calls")
    {
        // 0.45 - 0.2 and 0.45 - 0.25 are exact in binary, so the threshold is too.
        auto now = before();
        now.cache_hit_rate = 0.25;
        auto v = judge_anomaly(before(), now);
        REQUIRE(v.has_value());
        CHECK(v->flags == flags{"cache_hit_drop"});
        // The change in rate points, counted as the size of the drop.
        CHECK(v->score == Approx(10 + 0.2).epsilon(1e-12));
        now.cache_hit_rate = 0.2501;
        CHECK_FALSE(judge_anomaly(before(), now).has_value());
        auto empty = now;
        empty.calls = 0, empty.total_tokens = 0, empty.cost = 0, empty.failure_rate = 0,
        empty.p95_latency_ms.reset();
        empty.cache_hit_rate = 0;
        CHECK(flags_of(judge_anomaly(before(), empty)).empty());
    }
    SECTION("failure_rate_spike: failure rate >= previous + 0.20, both have calls")
    {
        auto now = before();
        now.failure_rate = 0.45;
        auto v = judge_anomaly(before(), now);
        REQUIRE(v.has_value());
        CHECK(v->flags == flags{"failure_rate_spike"});
        CHECK(v->score == Approx(10 + 0.2).epsilon(1e-12));
        now.failure_rate = 0.4499;
        CHECK_FALSE(judge_anomaly(before(), now).has_value());
    }
    SECTION("latency_spike: P95 >= 1.5 x previous, both known and > 0")
    {
        auto now = before();
        now.p95_latency_ms = 1500.0;
        auto v = judge_anomaly(before(), now);
        REQUIRE(v.has_value());
        CHECK(v->flags == flags{"latency_spike"});
        CHECK(v->score == Approx(10 + 0.5).epsilon(1e-12));
        now.p95_latency_ms = 1499.9;
        CHECK_FALSE(judge_anomaly(before(), now).has_value());
        now.p95_latency_ms = 5000.0;
        auto unknown = before();
        unknown.p95_latency_ms.reset();
        CHECK_FALSE(judge_anomaly(unknown, now).has_value());
        auto zero = before();
        zero.p95_latency_ms = 0.0;
        CHECK_FALSE(judge_anomaly(zero, now).has_value());
        auto later_unknown = before();
        later_unknown.p95_latency_ms.reset();
        CHECK_FALSE(judge_anomaly(before(), later_unknown).has_value());
    }
    SECTION("severity and score: one flag low, two medium, three or more high")
    {
        auto now = before();
        now.calls = 20, now.total_tokens = 2000, now.cost = 2.0;
        auto two = judge_anomaly(before(), now);
        REQUIRE(two.has_value());
        CHECK(two->flags == flags{"request_spike", "cost_spike"});
        CHECK(two->severity == "medium");
        CHECK(two->score == Approx(20 + 1.0 + 1.0).epsilon(1e-12));
        now.p95_latency_ms = 1500.0;
        auto three = judge_anomaly(before(), now);
        REQUIRE(three.has_value());
        CHECK(three->flags == flags{"request_spike", "cost_spike", "latency_spike"});
        CHECK(three->severity == "high");
        CHECK(three->score == Approx(30 + 1.0 + 1.0 + 0.5).epsilon(1e-12));
        now.total_tokens = 3000, now.cache_hit_rate = 0.25, now.failure_rate = 0.45;
        auto all = judge_anomaly(before(), now);
        REQUIRE(all.has_value());
        CHECK(
            all->flags ==
            flags{
                "request_spike",
                "cost_spike",
                "tokens_per_request_spike",
                "cache_hit_drop",
                "failure_rate_spike",
                "latency_spike"}
        );
        CHECK(all->severity == "high");
        CHECK(all->score == Approx(60 + 1.0 + 1.0 + 0.5 + 0.2 + 0.2 + 0.5).epsilon(1e-12));
    }
}

// A source first seen on day 3, every event with the same identity but the outcome, so its oldest
// event lies inside projected rows that hold several events each (a random event mostly has a
// row of its own).
std::vector<usage::event> late_source_events()
{
    std::vector<usage::event> out;
    for (int k = 0; k < 60; ++k)
    {
        const auto ms = data_start_ms + 3 * ms_per_day + 1234 + k * 2 * ms_per_hour;
        auto json = fmt::format(
            R"({{"timestamp":"{}","provider":"codex","model":"gpt-5.4","api_key":"{}","source":"late@example.com",)"
            R"("auth_index":"00000000000007a7","endpoint":"POST /v1/responses","auth_type":"oauth",)"
            R"("request_id":"late-{}","failed":{},"latency_ms":{},)"
            R"("tokens":{{"input_tokens":100,"output_tokens":10,"total_tokens":110}}}})",
            usage::format_rfc3339nano(*usage::from_unix_ms(ms)),
            api_key(0),
            k,
            k % 5 == 0 ? "true" : "false",
            100 + k
        );
        auto ev = usage::parse_record(std::string_view(json));
        REQUIRE(ev.has_value());
        out.push_back(std::move(*ev));
    }
    return out;
}

// Account history's lifetime totals come from the identity rows (days, blocks of days, recent
// hours) and raw events around them: each target's figures equal those of its events, before
// and after the projections are made.
TEST_CASE("account history equals the raw-event oracle before and after projections", "[monitoring]")
{
    const auto seed = test_seed();
    CAPTURE(seed);
    rng_t rng(seed);
    priced_store st;
    auto& [dir, writer, reader, records, table] = st;
    writer.submit(random_events(rng, 1200), {}, {});
    writer.submit(late_source_events(), {}, {});
    writer.drain();
    const auto ds = read_dataset(reader, table, {});

    // Targets: every account, auth index and source, and one auth file with its provider.
    std::vector<std::pair<std::string, an::account_target>> targets;
    std::vector<std::function<bool(const oracle_event&)>> matches;
    std::set<std::string> accounts, indices, sources;
    for (const auto& e : ds.events)
        accounts.insert(e.account), indices.insert(e.ev.auth_index), sources.insert(e.ev.source);
    for (const auto& a : accounts)
    {
        targets.push_back({"account " + a, {.account_key = a}});
        matches.push_back([a](const oracle_event& e) { return e.account == a; });
    }
    for (const auto& i : indices)
    {
        targets.push_back({"index " + i, {.auth_index = i}});
        matches.push_back([i](const oracle_event& e) { return e.ev.auth_index == i; });
    }
    for (const auto& s : sources)
    {
        targets.push_back({"source " + s, {.source = s}});
        matches.push_back([s](const oracle_event& e) { return e.ev.source == s; });
    }
    const auto& some = rng.pick(ds.events).ev;
    targets.push_back(
        {"file",
         {.auth_file_snapshot = some.auth_file_snapshot,
          .auth_provider_snapshot = some.auth_provider_snapshot}}
    );
    matches.push_back([f = some.auth_file_snapshot, p = some.auth_provider_snapshot](const oracle_event& e)
                      { return e.ev.auth_file_snapshot == f && e.ev.auth_provider_snapshot == p; });

    const auto check = [&](const char* stage)
    {
        INFO(stage);
        const auto got = an::read_account_history(reader, targets);
        REQUIRE(got.items.size() == targets.size());
        for (std::size_t t = 0; t < targets.size(); ++t)
        {
            INFO(targets[t].first);
            std::vector<const oracle_event*> mine;
            for (const auto& e : ds.events)
                if (matches[t](e))
                    mine.push_back(&e);
            const auto& item = got.items[t];
            std::int64_t failures = 0, tokens = 0;
            double usd = 0;
            for (const auto* e : mine)
                failures += e->ev.failed ? 1 : 0, tokens += e->ev.tokens.total, usd += e->usd;
            CHECK(item.totals.calls == static_cast<std::int64_t>(mine.size()));
            CHECK(item.totals.failure == failures);
            CHECK(item.totals.total_tokens == tokens);
            CHECK(item.totals.cost == Approx(usd).epsilon(1e-9).margin(1e-9));
            if (mine.empty())
            {
                CHECK(item.first_seen_ms == 0);
                CHECK_FALSE(item.latest_request);
                continue;
            }
            // Events are oldest first by (ms, id): the first is the oldest, by instant too.
            std::int64_t first_ns = mine.front()->ts_ns;
            for (const auto* e : mine)
                first_ns = std::min(first_ns, e->ts_ns);
            CHECK(item.first_seen_ms == floor_div(first_ns, std::int64_t{1'000'000}));
            CHECK(item.totals.last_seen_ms == mine.back()->ts);
            std::vector<std::int64_t> newest_ids;
            for (auto it = mine.rbegin(); it != mine.rend() && newest_ids.size() < 10; ++it)
                newest_ids.push_back((*it)->id);
            std::vector<std::int64_t> got_ids;
            for (const auto& r : item.recent_requests)
                got_ids.push_back(r.id);
            CHECK(got_ids == newest_ids);
            REQUIRE(item.latest_request);
            CHECK(item.latest_request->id == newest_ids.front());
        }
    };
    check("raw only");
    test::project_hours_before(writer, data_start_ms / ms_per_hour + 6 * 24 + 13);
    check("days 0 to 5 as days and blocks, days 5 and 6 as hours");
    test::project_every_hour(writer);
    check("every day as days and blocks");
}
