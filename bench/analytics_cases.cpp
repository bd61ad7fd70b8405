#include "analytics_cases.hpp"

#include "bench_util.hpp"

#include <algorithm>
#include <atomic>
#include <boost/json/parse.hpp>
#include <cmath>
#include <fmt/format.h>
#include <functional>
#include <optional>
#include <thread>
#include <vector>

namespace cpamd::bench
{
namespace
{

constexpr std::int64_t day_ms = 86'400'000;
constexpr int warm_ups = 2;
constexpr int runs = 20;

struct timing
{
    double p50 = 0, p95 = 0, p99 = 0;
};

timing percentiles(std::vector<double> ms)
{
    std::sort(ms.begin(), ms.end());
    const auto n = ms.size();
    auto rank = [&](double q)
    { return ms[static_cast<std::size_t>(std::ceil(q * static_cast<double>(n))) - 1]; };
    return {n % 2 ? ms[n / 2] : (ms[n / 2 - 1] + ms[n / 2]) / 2, rank(0.95), rank(0.99)};
}

// `warm_ups` untimed calls, then `runs` timed ones.
timing time_calls(const std::function<void()>& call)
{
    for (int i = 0; i < warm_ups; ++i)
        call();
    std::vector<double> ms;
    for (int i = 0; i < runs; ++i)
    {
        auto t = clock_type::now();
        call();
        ms.push_back(seconds_since(t) * 1000);
    }
    return percentiles(std::move(ms));
}

// Steps through every row of a reference query; returns the row count (a check sum).
std::int64_t step_all(store::statement& s, std::int64_t from_ms, std::int64_t to_ms)
{
    s.reset();
    s.bind(1, from_ms * 1'000'000).bind(2, to_ms * 1'000'000);
    std::int64_t rows = 0;
    while (s.step())
        ++rows;
    return rows;
}

std::string text_of(store::connection& ro, const std::string& sql)
{
    auto s = ro.prepare(sql);
    return s.step() ? std::string(s.text(0)) : std::string();
}

struct bench_case
{
    std::string name;
    std::function<void()> route;
    std::function<void()> reference;
    double target_ms = 0;
};

class route_client
{
public:
    explicit route_client(const test::running_daemon& d) : daemon_(d) { connect(); }

    std::string get(const std::string& target) { return post_or_get("GET", target, {}); }
    std::string post(const std::string& target, const std::string& body)
    {
        return post_or_get("POST", target, body);
    }

private:
    void connect() { client_.emplace("127.0.0.1", daemon_.port(), std::chrono::seconds(120)); }

    // The daemon closes a keep-alive connection left idle (while a slow reference runs at 10 M):
    // one retry on a fresh connection, as any HTTP client would.
    std::string post_or_get(const std::string& method, const std::string& target, const std::string& body)
    {
        try
        {
            return checked(client_->request(method, target, body, headers_), target);
        }
        catch (const boost::system::system_error&)
        {
            connect();
            return checked(client_->request(method, target, body, headers_), target);
        }
    }

    static std::string checked(test::http_reply r, const std::string& target)
    {
        if (r.status != 200)
            throw std::runtime_error(fmt::format("{} -> {}: {}", target, r.status, r.body.substr(0, 300)));
        return std::move(r.body);
    }

    const test::running_daemon& daemon_;
    std::optional<test::http_client> client_;
    std::map<std::string, std::string> headers_{
        {"Authorization", "Bearer " + bench_admin_key}, {"Content-Type", "application/json"}};
};

const std::string analytics_path = "/v0/management/monitoring/analytics";
// What the Trends and Models tabs ask: no grouping by key or credential.
const std::string trends_include =
    R"("summary":true,"summary_profile":"full","summary_comparison":true,"timeline":true,"model_stats":true,)"
    R"("anomaly_points":true)";
const std::string overview_include =
    R"("summary":true,"summary_profile":"full","summary_comparison":true,"timeline":true,"model_stats":true,)"
    R"("channel_share":true,"api_key_stats":true,"anomaly_points":true)";

std::string analytics_body(
    std::int64_t from,
    std::int64_t to,
    const std::string& include,
    const std::string& filters = {},
    const std::string& extra = {}
)
{
    return fmt::format(
        R"({{"from_ms":{},"to_ms":{},"now_ms":{},"time_zone":"UTC","filters":{{{}}},"include":{{{}}}{}}})",
        from,
        to,
        to,
        filters,
        include,
        extra
    );
}

} // namespace

void run_cases(const test::running_daemon& daemon, store::connection& ro, std::int64_t now)
{
    route_client client(daemon);
    const auto from30 = now - 30 * day_ms;
    const auto utc_day = now - now % day_ms;
    const auto kolkata_day = (now + 330 * 60'000) - (now + 330 * 60'000) % day_ms - 330 * 60'000;
    // Filter values present in the generated data.
    const std::string model = "gpt-5-codex";
    const auto key = text_of(ro, "SELECT value FROM dim WHERE kind = 17 ORDER BY id LIMIT 1");
    const auto account = text_of(ro, "SELECT value FROM dim WHERE kind = 14 ORDER BY id LIMIT 1");
    const auto credential = text_of(
        ro,
        "SELECT coalesce((SELECT value FROM dim WHERE id = auth_file_snapshot), '') || '|' || "
        "(SELECT value FROM dim WHERE id = auth_index) || '|' || (SELECT value FROM dim WHERE id = "
        "source_hash) "
        "FROM events ORDER BY id LIMIT 1"
    );
    const auto id_of = [&](int kind, const std::string& v)
    {
        auto s = ro.prepare("SELECT id FROM dim WHERE kind = ?1 AND value = ?2");
        s.bind(1, std::int64_t{kind}).bind(2, v);
        return s.step() ? s.int64(0) : 0;
    };
    const auto model_id = id_of(1, model), key_id = id_of(17, key), account_id = id_of(14, account);

    // References (raw events, read-only connection).
    auto overview_sql = [&](const std::string& where)
    {
        return ro.prepare(
            "SELECT model, api_key, auth_index, ts_ns / 86400000000000, count(*), sum(total_tokens), "
            "sum(failed), "
            "sum(latency_ms), sum(cost_uncached), sum(cost_output) FROM events WHERE ts_ns >= ?1 AND ts_ns < "
            "?2" +
                where + " GROUP BY 1, 2, 3, 4",
            true
        );
    };
    auto dashboard_ref = ro.prepare(
        "SELECT model, ts_ns / 3600000000000, count(*), sum(total_tokens), sum(failed) FROM events "
        "WHERE ts_ns >= ?1 AND ts_ns < ?2 GROUP BY 1, 2",
        true
    );
    auto overview_all = overview_sql("");
    auto overview_model = overview_sql(fmt::format(" AND model = {}", model_id));
    auto overview_key = overview_sql(fmt::format(" AND api_key = {}", key_id));
    auto overview_account = overview_sql(fmt::format(" AND auth_index = {}", account_id));
    auto heatmap_ref = ro.prepare(
        "SELECT (ts_ns / 3600000000000) % 24, (ts_ns / 86400000000000 + 4) % 7, model, api_key, provider, "
        "count(*), "
        "sum(total_tokens), sum(failed) FROM events WHERE ts_ns >= ?1 AND ts_ns < ?2 GROUP BY 1, 2, 3, 4, 5",
        true
    );
    auto series_sql = [&](const std::string& where)
    {
        return ro.prepare(
            "SELECT ts_ns / 86400000000000, count(*), sum(total_tokens), sum(failed) FROM events "
            "WHERE ts_ns >= ?1 AND ts_ns < ?2" +
                where + " GROUP BY 1",
            true
        );
    };
    auto series_account = series_sql(fmt::format(" AND auth_index = {}", account_id));
    auto series_key = series_sql(fmt::format(" AND api_key = {}", key_id));
    auto selectors_ref = ro.prepare(
        "SELECT model, api_key, provider, auth_file_snapshot, auth_index, count(*) FROM events "
        "WHERE ts_ns >= ?1 AND ts_ns < ?2 GROUP BY 1, 2, 3, 4, 5",
        true
    );
    auto page_ref = ro.prepare(
        fmt::format(
            "SELECT * FROM events WHERE ts_ns >= ?1 AND ts_ns < ?2 AND model = {} ORDER BY ts_ns DESC, id "
            "DESC "
            "LIMIT 101",
            model_id
        ),
        true
    );
    auto search_ref = ro.prepare(
        "SELECT count(*) FROM events e JOIN dim s ON s.id = e.source JOIN dim m ON m.id = e.model "
        "WHERE e.ts_ns >= ?1 AND e.ts_ns < ?2 AND (s.value LIKE '%user7@%' OR m.value LIKE '%user7@%' "
        "OR e.fail_summary LIKE '%user7@%')",
        true
    );

    // The usage series of /metrics are counted from the store once after the start: wait for it
    // (its time is a figure of its own), so it does not share the CPU with the timed cases.
    {
        const auto t = clock_type::now();
        while (client.get("/metrics").find("\ncpamd_usage_metrics_ready 1\n") == std::string::npos)
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        fmt::print("usage series of /metrics ready {:.1f} s after the first request\n", seconds_since(t));
    }
    auto metrics_ref = ro.prepare(
        "SELECT model, provider, count(*), sum(failed), sum(input_tokens), sum(output_tokens), "
        "sum(total_tokens), sum(latency_ms) FROM events WHERE ts_ns >= ?1 AND ts_ns < ?2 GROUP BY 1, 2",
        true
    );

    // The events page's second page starts where the first ended.
    const auto page_filter = fmt::format(R"("models":["{}"])", model);
    const auto first_page = boost::json::parse(client.post(
        analytics_path, analytics_body(from30, now, R"("events_page":{"limit":100})", page_filter)
    ));
    const auto& ev = first_page.at("events");
    const auto next_page_include = fmt::format(
        R"("events_page":{{"limit":100,"before_ms":{},"before_id":{}}})",
        ev.at("next_before_ms").as_int64(),
        ev.at("next_before_id").as_int64()
    );

    auto post = [&](std::string body) { return [&client, body] { client.post(analytics_path, body); }; };
    auto ref = [](store::statement& s, std::int64_t from, std::int64_t to)
    { return [&s, from, to] { step_all(s, from, to); }; };
    std::vector<bench_case> cases{
        {"dashboard summary, UTC day",
         [&] {
             client.get(
                 fmt::format("/v0/management/dashboard/summary?today_start_ms={}&now_ms={}", utc_day, now)
             );
         },
         ref(dashboard_ref, std::min(utc_day, now - day_ms), now + 1),
         20},
        {"dashboard summary, Asia/Kolkata day",
         [&]
         {
             client.get(
                 fmt::format("/v0/management/dashboard/summary?today_start_ms={}&now_ms={}", kolkata_day, now)
             );
         },
         ref(dashboard_ref, std::min(kolkata_day, now - day_ms), now + 1),
         20},
        {"overview 30 d, unfiltered",
         post(analytics_body(from30, now, overview_include)),
         ref(overview_all, from30, now),
         50},
        {"overview 30 d, one model",
         post(analytics_body(from30, now, overview_include, fmt::format(R"("models":["{}"])", model))),
         ref(overview_model, from30, now),
         50},
        {"overview 30 d, one API key",
         post(analytics_body(from30, now, overview_include, fmt::format(R"("api_key_hashes":["{}"])", key))),
         ref(overview_key, from30, now),
         50},
        {"overview 30 d, one account",
         post(analytics_body(from30, now, overview_include, fmt::format(R"("accounts":["{}"])", account))),
         ref(overview_account, from30, now),
         50},
        {"trends 30 d (overview less key/channel stats)",
         post(analytics_body(from30, now, trends_include)),
         ref(overview_all, from30, now),
         50},
        {"trends 30 d, one model",
         post(analytics_body(from30, now, trends_include, fmt::format(R"("models":["{}"])", model))),
         ref(overview_model, from30, now),
         50},
        {"heatmap 30 d",
         post(analytics_body(from30, now, R"("heatmap":true)")),
         ref(heatmap_ref, from30, now),
         50},
        {"credential timeline 30 d",
         post(analytics_body(
             from30,
             now,
             R"("credential_timeline":true,"granularity":"day")",
             fmt::format(R"("credential_ids":["{}"])", credential)
         )),
         ref(series_account, from30, now),
         50},
        {"API key timeline 30 d",
         post(analytics_body(
             from30,
             now,
             R"("api_key_timeline":true,"granularity":"day")",
             fmt::format(R"("api_key_hashes":["{}"])", key)
         )),
         ref(series_key, from30, now),
         50},
        {"filter selectors 30 d",
         post(analytics_body(from30, now, R"("filter_selectors":true)")),
         ref(selectors_ref, from30, now),
         50},
        {"events page of 100, one model",
         post(analytics_body(from30, now, R"("events_page":{"limit":100})", page_filter)),
         ref(page_ref, from30, now),
         20},
        {"events page of 100, next page",
         post(analytics_body(from30, now, next_page_include, page_filter)),
         ref(page_ref, from30, now),
         20},
        {"search 30 d (\"user7@\")",
         post(analytics_body(
             from30, now, R"("summary":true,"events_page":{"limit":100})", {}, R"(,"search_query":"user7@")"
         )),
         ref(search_ref, from30, now),
         200},
        {"/metrics scrape (usage series, all time)",
         [&] { client.get("/metrics"); },
         ref(metrics_ref, -9'000'000'000'000, 9'000'000'000'000),
         20},
    };

    fmt::print(
        "{:<40} {:>19} {:>19} {:>13} {:>8}\n",
        "request (HTTP, 20 runs)",
        "route p50 / p95 ms",
        "naive p50 / p95 ms",
        "ratio p95",
        "target"
    );
    for (const auto& c : cases)
    {
        const auto route = time_calls(c.route);
        const auto reference = time_calls(c.reference);
        fmt::print(
            "{:<40} {:>8.2f} / {:>8.2f} {:>8.2f} / {:>8.2f} {:>13.3f} {:>5.0f} ms {}\n",
            c.name,
            route.p50,
            route.p95,
            reference.p50,
            reference.p95,
            route.p95 / reference.p95,
            c.target_ms,
            route.p95 <= c.target_ms ? "met" : "NOT met"
        );
    }

    // /health while four overview requests run at once.
    std::atomic<bool> stop{false};
    std::vector<std::thread> load;
    std::atomic<int> loaded{0};
    for (int i = 0; i < 4; ++i)
        load.emplace_back(
            [&]
            {
                route_client own(daemon);
                const auto body = analytics_body(from30, now, overview_include);
                while (!stop)
                {
                    own.post(analytics_path, body);
                    ++loaded;
                }
            }
        );
    auto health = daemon.client(std::chrono::seconds(30));
    std::vector<double> ms;
    for (int i = 0; i < 200; ++i)
    {
        auto t = clock_type::now();
        if (health.get("/health").status != 200)
            throw std::runtime_error("/health failed");
        ms.push_back(seconds_since(t) * 1000);
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    stop = true;
    for (auto& t : load)
        t.join();
    const auto h = percentiles(std::move(ms));
    fmt::print(
        "/health under 4 concurrent overviews ({} overviews done meanwhile): p50 {:.2f} ms  p99 {:.2f} ms "
        "(target p99 <= 5 ms) {}\n",
        loaded.load(),
        h.p50,
        h.p99,
        h.p99 <= 5 ? "met" : "NOT met"
    );
}

} // namespace cpamd::bench
