// The usage series of /metrics on the real daemon (docs/monitoring.md): every value equals the
// same sum computed here from the imported records, the top N keeps the busiest label values and
// sums the rest as "other", a scrape adds what was stored since the last one, a restart recounts
// the store to the same values, no full key hash leaks, and promtool accepts the exposition. And
// the Grafana dashboard and alert rules in packaging/ name only metrics that exist.

#include "ops_fixture.hpp"

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>
#include <cmath>
#include <cpamd/test/daemon.hpp>
#include <cpamd/test/temp_dir.hpp>
#include <cpamd/usage/redact.hpp>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <iterator>
#include <map>
#include <random>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

using cpamd::test::running_daemon;
namespace json = boost::json;

namespace
{

const std::string admin_key = "cpamp_usagemetricsadminkey01234567";
const std::string metrics_token = "usage-scrape-token";
constexpr std::size_t top_n = 2;

struct record
{
    std::string model, provider, auth_index, source, key;
    std::optional<int> status; // set: failed with this HTTP status (0: failed without one)
    std::int64_t input = 0, output = 0, reasoning = 0, cached = 0;
    std::int64_t latency_ms = 0;
    std::optional<std::int64_t> ttft_ms;
    int second = 0;

    bool failed() const { return status.has_value(); }
    std::int64_t total() const { return input + output + reasoning; }
};

// Records with skewed counts, so the top N is well defined: model i gets weight 3 - i, and so on.
std::vector<record> make_records(std::mt19937& rng, int n, int first_second)
{
    const std::vector<std::pair<std::string, std::string>> models{
        {"gpt-5", "codex"},
        {"claude-sonnet-4-5", "claude"},
        {"gemini-2.5-pro", "gemini"},
        {"gpt-5-mini", "codex"}};
    const std::vector<std::pair<std::string, std::string>> credentials{
        {"00000000000000a1", "alice@example.com"},
        {"00000000000000a2", "bob@example.com"},
        {"00000000000000a3", "carol@example.com"}};
    std::discrete_distribution<int> skewed{8, 4, 2, 1};
    std::vector<record> out;
    for (int i = 0; i < n; ++i)
    {
        record r;
        const auto& m = models[static_cast<std::size_t>(skewed(rng))];
        r.model = m.first, r.provider = m.second;
        const auto& c = credentials[static_cast<std::size_t>(skewed(rng) % 3)];
        r.auth_index = c.first, r.source = c.second;
        r.key = fmt::format("sk-usage-metrics-{}", skewed(rng));
        switch (rng() % 8)
        {
        case 0:
            r.status = 429;
            break;
        case 1:
            r.status = 503;
            break;
        case 2:
            r.status = 0;
            break;
        default:
            break;
        }
        r.input = rng() % 5000, r.output = rng() % 800, r.reasoning = rng() % 100, r.cached = rng() % 300;
        r.latency_ms = 50 + static_cast<std::int64_t>(rng() % 40000);
        if (rng() % 3 != 0)
            r.ttft_ms = 20 + static_cast<std::int64_t>(rng() % 3000);
        r.second = first_second + i;
        out.push_back(std::move(r));
    }
    return out;
}

std::string jsonl(const std::vector<record>& records)
{
    std::string out;
    for (const auto& r : records)
    {
        std::string fail;
        if (r.status && *r.status != 0)
            fail = fmt::format(R"("fail":{{"status_code":{},"body":"upstream said no"}},)", *r.status);
        out += fmt::format(
            R"({{"timestamp":"2026-11-02T{:02}:{:02}:{:02}Z","provider":"{}","model":"{}","api_key":"{}",)"
            R"("source":"{}","auth_index":"{}","endpoint":"POST /v1/responses","auth_type":"oauth",)"
            R"("request_id":"req-{}","failed":{},{}"latency_ms":{},{})"
            R"("tokens":{{"input_tokens":{},"output_tokens":{},"reasoning_tokens":{},"cached_tokens":{},)"
            R"("total_tokens":{}}}}})"
            "\n",
            r.second / 3600,
            r.second / 60 % 60,
            r.second % 60,
            r.provider,
            r.model,
            r.key,
            r.source,
            r.auth_index,
            r.second,
            r.failed() ? "true" : "false",
            fail,
            r.latency_ms,
            r.ttft_ms ? fmt::format(R"("ttft_ms":{},)", *r.ttft_ms) : std::string(),
            r.input,
            r.output,
            r.reasoning,
            r.cached,
            r.total()
        );
    }
    return out;
}

// The oracle: each family's series as "name{labels}" -> value, from the records alone.
using series_map = std::map<std::string, double>;

struct family_sums
{
    std::int64_t requests = 0;
    std::array<std::int64_t, 3> failures{};
    std::array<std::int64_t, 7> tokens{};
    std::array<std::int64_t, 12> latency{}, ttft{};
};

void add(family_sums& f, const record& r)
{
    ++f.requests;
    if (r.status)
        ++f.failures[*r.status >= 400 && *r.status < 500 ? 0 : *r.status >= 500 ? 1 : 2];
    // input, output, reasoning, cached, cache_read, cache_creation, total
    f.tokens[0] += r.input, f.tokens[1] += r.output, f.tokens[2] += r.reasoning, f.tokens[3] += r.cached;
    f.tokens[6] += r.total();
    const double bounds[] = {0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300};
    auto bucket = [&](std::int64_t ms)
    {
        std::size_t i = 0;
        while (i < 11 && static_cast<double>(ms) / 1000.0 > bounds[i])
            ++i;
        return i;
    };
    ++f.latency[bucket(r.latency_ms)];
    if (r.ttft_ms)
        ++f.ttft[bucket(*r.ttft_ms)];
}

// Top `top_n` by requests (ties: the order the daemon keeps is by dim id, so the test's data
// avoids ties among the kept ones), the rest summed under `other`.
std::vector<std::pair<std::string, family_sums>>
top_with_other(std::map<std::string, family_sums> by_label, const std::string& other)
{
    std::vector<std::pair<std::string, family_sums>> rows(by_label.begin(), by_label.end());
    std::stable_sort(
        rows.begin(),
        rows.end(),
        [](const auto& a, const auto& b) { return a.second.requests > b.second.requests; }
    );
    if (rows.size() <= top_n)
        return rows;
    family_sums rest;
    for (std::size_t i = top_n; i < rows.size(); ++i)
    {
        const auto& s = rows[i].second;
        rest.requests += s.requests;
        for (std::size_t j = 0; j < 3; ++j)
            rest.failures[j] += s.failures[j];
        for (std::size_t j = 0; j < 7; ++j)
            rest.tokens[j] += s.tokens[j];
        for (std::size_t j = 0; j < 12; ++j)
            rest.latency[j] += s.latency[j], rest.ttft[j] += s.ttft[j];
    }
    rows.resize(top_n);
    rows.emplace_back(other, rest);
    return rows;
}

void expect_family(
    series_map& out,
    const std::string& prefix,
    const std::vector<std::pair<std::string, family_sums>>& rows,
    bool histograms
)
{
    const char* classes[] = {"4xx", "5xx", "other"};
    const char* types[] = {"input", "output", "reasoning", "cached", "cache_read", "cache_creation", "total"};
    const char* bounds[] = {"0.1", "0.25", "0.5", "1", "2.5", "5", "10", "30", "60", "120", "300", "+Inf"};
    for (const auto& [labels, s] : rows)
    {
        out[fmt::format("{}requests_total{{{}}}", prefix, labels)] = static_cast<double>(s.requests);
        for (int c = 0; c < 3; ++c)
            if (s.failures[c] > 0)
                out[fmt::format("{}failures_total{{{},status_class=\"{}\"}}", prefix, labels, classes[c])] =
                    static_cast<double>(s.failures[c]);
        for (int t = 0; t < 7; ++t)
            out[fmt::format("{}tokens_total{{{},type=\"{}\"}}", prefix, labels, types[t])] =
                static_cast<double>(s.tokens[t]);
        if (!histograms)
            continue;
        for (auto [name, counts] : {std::pair{"latency", s.latency}, std::pair{"ttft", s.ttft}})
        {
            std::int64_t cumulative = 0;
            for (int b = 0; b < 12; ++b)
            {
                cumulative += counts[b];
                out[fmt::format("{}{}_seconds_bucket{{{},le=\"{}\"}}", prefix, name, labels, bounds[b])] =
                    static_cast<double>(cumulative);
            }
            out[fmt::format("{}{}_seconds_count{{{}}}", prefix, name, labels)] =
                static_cast<double>(cumulative);
        }
    }
}

series_map oracle(const std::vector<record>& records)
{
    std::map<std::string, family_sums> models, credentials, keys;
    for (const auto& r : records)
    {
        add(models[fmt::format(R"(model="{}",provider="{}")", r.model, r.provider)], r);
        add(credentials[fmt::format(
                R"(auth_index="{}",credential="{}")", r.auth_index, cpamd::usage::mask_source(r.source)
            )],
            r);
        add(keys[r.key], r);
    }
    series_map out;
    expect_family(out, "cpamd_usage_", top_with_other(models, R"(model="other",provider="other")"), true);
    expect_family(
        out,
        "cpamd_usage_credential_",
        top_with_other(credentials, R"(auth_index="other",credential="other")"),
        false
    );
    // Keys are labelled by their hash's prefix, which the test does not compute: compared by value.
    return out;
}

// The samples of an exposition, "name{labels}" -> value; comments left out.
series_map parse_exposition(const std::string& text)
{
    series_map out;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line))
    {
        if (line.empty() || line[0] == '#')
            continue;
        const auto space = line.rfind(' ');
        out[line.substr(0, space)] = std::stod(line.substr(space + 1));
    }
    return out;
}

std::map<std::string, std::string> bearer()
{
    return {{"Authorization", "Bearer " + metrics_token}};
}

std::map<std::string, std::string> admin()
{
    return {{"Authorization", "Bearer " + admin_key}, {"Content-Type", "application/json"}};
}

// Scrapes until the usage counters are ready (the first count runs in the background).
std::string ready_scrape(const running_daemon& d)
{
    auto c = d.client();
    for (int i = 0; i < 200; ++i)
    {
        auto r = c.get("/metrics", bearer());
        REQUIRE(r.status == 200);
        if (r.body.find("\ncpamd_usage_metrics_ready 1\n") != std::string::npos)
            return r.body;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    FAIL("the usage counters never became ready");
    return {};
}

void import(const running_daemon& d, const std::vector<record>& records)
{
    auto r = d.client().request("POST", "/v0/management/usage/import", jsonl(records), admin());
    REQUIRE(r.status == 200);
}

// The total cost the analytics route gives for every imported record (priced now, as the
// exporter prices them when it first counts them).
double analytics_cost(const running_daemon& d)
{
    auto r = d.client().request(
        "POST",
        "/v0/management/monitoring/analytics",
        R"({"from_ms":1793577600000,"to_ms":1793664000000,"time_zone":"UTC","include":{"summary":true}})",
        admin()
    );
    REQUIRE(r.status == 200);
    return json::parse(r.body).at("summary").at("total_cost").to_number<double>();
}

double sum_of(const series_map& m, const std::string& name)
{
    double total = 0;
    for (const auto& [k, v] : m)
        if (k.rfind(name + "{", 0) == 0)
            total += v;
    return total;
}

void check_against(const series_map& scraped, const std::vector<record>& records, double cost)
{
    for (const auto& [series, value] : oracle(records))
    {
        CAPTURE(series);
        REQUIRE(scraped.count(series) == 1);
        CHECK(scraped.at(series) == value);
    }
    // Keys: top N + other, each key's count one of the oracle's, the sum all records.
    std::map<std::string, std::int64_t> per_key;
    for (const auto& r : records)
        ++per_key[r.key];
    std::vector<double> key_series;
    for (const auto& [k, v] : scraped)
        if (k.rfind("cpamd_usage_api_key_requests_total{", 0) == 0)
            key_series.push_back(v);
    CHECK(key_series.size() == std::min(per_key.size(), top_n + 1));
    CHECK(sum_of(scraped, "cpamd_usage_api_key_requests_total") == static_cast<double>(records.size()));
    for (const char* family :
         {"cpamd_usage_cost_usd_total",
          "cpamd_usage_credential_cost_usd_total",
          "cpamd_usage_api_key_cost_usd_total"})
    {
        CAPTURE(family);
        CHECK(sum_of(scraped, family) == Approx(cost).epsilon(1e-9));
    }
}

} // namespace

TEST_CASE(
    "usage series equal the stored records, survive a restart and pass promtool", "[ops][metrics][usage]"
)
{
    cpamd::test::temp_dir data;
    const std::map<std::string, std::string> env{
        {"CPA_MANAGER_ADMIN_KEY", admin_key},
        {"METRICS_TOKEN", metrics_token},
        {"METRICS_USAGE_TOP_N", std::to_string(top_n)},
        {"USAGE_DATA_DIR", data.path().string()}};
    std::mt19937 rng(20261207);
    auto records = make_records(rng, 120, 0);
    series_map before_restart;
    {
        running_daemon d(env);
        CHECK(ready_scrape(d).find("cpamd_usage_requests_total") == std::string::npos); // nothing stored yet
        import(d, records);
        const auto first = ready_scrape(d);
        check_against(parse_exposition(first), records, analytics_cost(d));
        CHECK(analytics_cost(d) > 0);

        // A scrape adds exactly what was stored since the one before.
        auto more = make_records(rng, 80, 1000);
        import(d, more);
        records.insert(records.end(), more.begin(), more.end());
        const auto second = ready_scrape(d);
        before_restart = parse_exposition(second);
        check_against(before_restart, records, analytics_cost(d));

        // No label carries a whole key hash (64 hex digits) or a key.
        CHECK_FALSE(std::regex_search(second, std::regex("[0-9a-f]{64}")));
        CHECK(second.find("sk-usage-metrics") == std::string::npos);
        CHECK(std::regex_search(
            second, std::regex("cpamd_usage_api_key_requests_total\\{api_key=\"[0-9a-f]{12}\"")
        ));

        auto check = cpamd::test::promtool_check_metrics(second);
        INFO(check.output);
        REQUIRE(check.code != 127); // promtool missing: run scripts/deps test
        CHECK(check.code == 0);
    }
    // A new process counts the store again: the same series, the same values.
    running_daemon again(env);
    auto after = parse_exposition(ready_scrape(again));
    for (const auto& [series, value] : before_restart)
    {
        if (series.rfind("cpamd_usage_", 0) != 0)
            continue;
        CAPTURE(series);
        REQUIRE(after.count(series) == 1);
        CHECK(after.at(series) == Approx(value).epsilon(1e-12));
    }
}

TEST_CASE("METRICS_USAGE_TOP_N=0 leaves the usage series out", "[ops][metrics][usage]")
{
    running_daemon d({{"METRICS_TOKEN", metrics_token}, {"METRICS_USAGE_TOP_N", "0"}});
    auto r = d.client().get("/metrics", bearer());
    REQUIRE(r.status == 200);
    CHECK(r.body.find("cpamd_usage_") == std::string::npos);
    CHECK(r.body.find("cpamd_build_info") != std::string::npos);
}

namespace
{

// Every "expr" string anywhere in a Grafana dashboard (panel targets, variable queries).
void collect_exprs(const json::value& v, std::vector<std::string>& out)
{
    if (const auto* o = v.if_object())
        for (const auto& [k, x] : *o)
        {
            if ((k == "expr" || k == "query") && x.is_string())
                out.emplace_back(x.as_string());
            else
                collect_exprs(x, out);
        }
    else if (const auto* a = v.if_array())
        for (const auto& x : *a)
            collect_exprs(x, out);
}

std::set<std::string> metric_names_in(const std::string& text)
{
    std::set<std::string> out;
    const std::regex name(R"(\b(cpamd|process)_[a-z0-9_]*[a-z0-9])");
    for (auto it = std::sregex_iterator(text.begin(), text.end(), name); it != std::sregex_iterator(); ++it)
        out.insert(it->str());
    return out;
}

std::string read_text(const std::filesystem::path& p)
{
    std::ifstream in(p);
    REQUIRE(in);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

} // namespace

TEST_CASE(
    "the Grafana dashboard and the alert rules use only metrics /metrics serves", "[ops][metrics][usage]"
)
{
    const std::filesystem::path source(CPAMD_SOURCE_DIR);
    running_daemon d(
        {{"CPA_MANAGER_ADMIN_KEY", admin_key}, {"METRICS_TOKEN", metrics_token}, {"BACKUP_INTERVAL", "1h"}}
    );
    std::mt19937 rng(7);
    import(d, make_records(rng, 60, 0)); // failures of every class, TTFTs: every usage family exists
    const auto scrape = ready_scrape(d);
    std::set<std::string> served;
    std::istringstream in(scrape);
    std::string line;
    while (std::getline(in, line))
        if (line.rfind("# TYPE ", 0) == 0)
            served.insert(line.substr(7, line.find(' ', 7) - 7));
        else if (!line.empty() && line[0] != '#')
            served.insert(line.substr(0, line.find_first_of("{ ")));

    std::vector<std::string> exprs;
    collect_exprs(json::parse(read_text(source / "packaging/grafana/cpamd.json")), exprs);
    REQUIRE(exprs.size() > 20);
    std::string dashboard_queries;
    for (const auto& e : exprs)
        dashboard_queries += e + "\n";
    const auto rules_path = source / "packaging/prometheus/cpamd-rules.yml";
    for (const auto& [what, text] :
         {std::pair{"dashboard", dashboard_queries}, std::pair{"rules", read_text(rules_path)}})
    {
        const auto names = metric_names_in(text);
        REQUIRE(names.size() > 5);
        for (const auto& n : names)
        {
            CAPTURE(what, n);
            CHECK(served.count(n) == 1);
        }
    }

    auto check = cpamd::test::run_shell("promtool check rules " + rules_path.string());
    INFO(check.output);
    REQUIRE(check.code != 127); // promtool missing: run scripts/deps test
    CHECK(check.code == 0);
}
