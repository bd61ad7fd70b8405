// Analytics benchmark (issue 19, "Fast, flat in history size"). One run:
//  1. fills a database with --events generated events spread evenly over the 90 days ending now
//     (a dozen models, 50 API keys, 40 accounts, 4 % failures) through the real parser and the
//     real event_writer, as the daemon ingests them;
//  2. starts the real daemon (bin/cpamd serve, next to this binary) on that data directory;
//  3. times GET /v0/management/dashboard/summary over HTTP, 2 warm-ups then 20 runs, p50 and p95,
//     for "today" starting at UTC midnight and at Asia/Kolkata midnight (a half-hour zone, whose
//     day edges the rollups cannot serve);
//  4. times the naive reference in the same run, the same way, on a read-only connection: one
//     GROUP BY over raw events giving calls, tokens and failures per model and hour, over the
//     window the dashboard covers (today and the last 24 hours), and over 30 days to show how a
//     naive route scales with history;
//  5. prints the figures and the ratios route / reference.

#include "bench_util.hpp"
#include "record_generator.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cpamd/store/database.hpp>
#include <cpamd/store/event_writer.hpp>
#include <cpamd/test/daemon.hpp>
#include <cpamd/usage/parse_record.hpp>
#include <cstring>
#include <filesystem>
#include <fmt/format.h>
#include <fstream>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace
{

using namespace cpamd;

constexpr std::int64_t day_ms = 86'400'000;
constexpr std::int64_t hour_ns = 3'600'000'000'000;
constexpr std::int64_t history_ms = 90 * day_ms;
constexpr std::size_t batch = 1000;
constexpr int warm_ups = 2;
constexpr int runs = 20;
// An admin key of the accepted format (as the integration tests use).
const std::string admin_key = "cpamp_metricstestadminkey012345678";

using bench::clock_type;
using bench::seconds_since;
using bench::size_of;

std::int64_t now_ms()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch()
    )
        .count();
}

// The start of the local day containing `t_ms` in a zone `offset_ms` east of UTC (fixed offset).
std::int64_t day_start_ms(std::int64_t t_ms, std::int64_t offset_ms)
{
    auto local = t_ms + offset_ms;
    return local - local % day_ms - offset_ms;
}

struct fill_result
{
    double seconds = 0;
    std::uint64_t inserted = 0;
};

// `events` generated records, evenly spaced over the 90 days ending at `end_ms`, parsed on this
// thread and committed by the real event_writer on its own, at most 8192 parsed events waiting
// for it (as the collector's bounded queue allows).
fill_result fill(const std::filesystem::path& db_path, std::int64_t events, std::int64_t end_ms)
{
    fill_result result;
    constexpr std::uint64_t max_in_flight = 8192;
    std::mutex m;
    std::condition_variable cv;
    std::uint64_t in_flight = 0;
    std::optional<std::string> error;
    bench::record_generator gen(19, 50);
    store::event_writer writer(db_path);
    std::vector<usage::event> parsed;
    parsed.reserve(batch);
    auto submit = [&]
    {
        const auto n = parsed.size();
        {
            std::unique_lock lock(m);
            cv.wait(lock, [&] { return in_flight + n <= max_in_flight || in_flight == 0; });
            in_flight += n;
        }
        writer.submit(
            std::exchange(parsed, {}),
            {},
            [&, n](store::write_result r)
            {
                std::lock_guard lock(m);
                in_flight -= n;
                result.inserted += r.counts.inserted;
                if (r.error)
                    error = r.error;
                cv.notify_all();
            }
        );
        parsed.reserve(batch);
    };
    const auto start_ms = end_ms - history_ms;
    auto t = clock_type::now();
    for (std::int64_t i = 0; i < events; ++i)
    {
        auto record = gen.next(start_ms + i * history_ms / events);
        if (auto ev = usage::parse_record(std::string_view(record)))
            parsed.push_back(std::move(*ev));
        if (parsed.size() == batch)
            submit();
    }
    if (!parsed.empty())
        submit();
    writer.drain();
    result.seconds = seconds_since(t);
    if (error)
        throw std::runtime_error("fill: " + *error);
    return result;
}

struct timing
{
    double p50 = 0;
    double p95 = 0;
};

// `warm_ups` untimed calls, then `runs` timed ones: p50 and p95 (nearest rank) in ms.
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
    std::sort(ms.begin(), ms.end());
    const auto n = ms.size();
    timing r;
    r.p50 = n % 2 ? ms[n / 2] : (ms[n / 2 - 1] + ms[n / 2]) / 2;
    r.p95 = ms[static_cast<std::size_t>(std::ceil(0.95 * static_cast<double>(n))) - 1];
    return r;
}

// The naive reference: calls, tokens and failures per model and hour over raw events in
// [from_ms, to_ms), every row stepped through. Returns the rows' call count (a check sum).
std::int64_t naive_query(store::statement& s, std::int64_t from_ms, std::int64_t to_ms)
{
    s.reset();
    s.bind(1, from_ms * 1'000'000).bind(2, to_ms * 1'000'000);
    std::int64_t calls = 0;
    while (s.step())
        calls += s.int64(2);
    return calls;
}

long daemon_peak_rss_kb(pid_t pid)
{
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line))
        if (line.starts_with("VmHWM:"))
            return std::stol(line.substr(6));
    return 0;
}

void print_row(const char* what, const timing& route, const timing& reference)
{
    fmt::print(
        "  {:<44} route p50 {:8.2f} ms  p95 {:8.2f} ms | reference p50 {:8.2f} ms  p95 {:8.2f} ms | "
        "ratio p50 {:.2f}  p95 {:.2f}\n",
        what,
        route.p50,
        route.p95,
        reference.p50,
        reference.p95,
        route.p50 / reference.p50,
        route.p95 / reference.p95
    );
}

} // namespace

int main(int argc, char** argv)
{
    std::int64_t events = 1'000'000;
    bool keep = false;
    bool reuse = false;
    std::optional<std::filesystem::path> dir_arg;
    for (int i = 1; i < argc; ++i)
    {
        if (!std::strcmp(argv[i], "--events") && i + 1 < argc)
            events = std::max<std::int64_t>(1, std::stoll(argv[++i]));
        else if (!std::strcmp(argv[i], "--dir") && i + 1 < argc)
            dir_arg = argv[++i];
        else if (!std::strcmp(argv[i], "--keep"))
            keep = true;
        else if (!std::strcmp(argv[i], "--reuse"))
            reuse = keep = true;
        else
        {
            fmt::print(stderr, "usage: bench-analytics [--events N] [--dir DIR] [--keep] [--reuse]\n");
            return 2;
        }
    }
    const auto dir =
        dir_arg ? *dir_arg
                : std::filesystem::temp_directory_path() / fmt::format("cpamd-bench-analytics-{}", events);
    const auto db_path = dir / "usage.sqlite";
    try
    {
        const bool filled = reuse && std::filesystem::exists(db_path);
        if (!filled)
        {
            std::filesystem::remove_all(dir);
            std::filesystem::create_directories(dir);
            fmt::print("filling {} with {} events over 90 days...\n", db_path.string(), events);
            auto f = fill(db_path, events, now_ms());
            fmt::print(
                "fill: {} events inserted in {:.1f} s, {:.0f} events/s (parse ∥ event_writer)\n",
                f.inserted,
                f.seconds,
                static_cast<double>(f.inserted) / f.seconds
            );
        }
        {
            auto db = store::open_writer(db_path);
            db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
        }
        const auto bytes = size_of(db_path) + size_of(db_path.string() + "-wal");
        store::connection ro(db_path, store::connection::mode::read_only);
        const auto stored = ro.query_int("SELECT count(*) FROM events").value_or(0);
        fmt::print(
            "events: {}  database: {:.1f} MB ({:.1f} bytes/event){}\n",
            stored,
            static_cast<double>(bytes) / 1e6,
            static_cast<double>(bytes) / static_cast<double>(std::max<std::int64_t>(1, stored)),
            filled ? " (reused)" : ""
        );

        test::running_daemon daemon({{"CPA_MANAGER_ADMIN_KEY", admin_key}, {"USAGE_DATA_DIR", dir.string()}});
        auto client = daemon.client(std::chrono::seconds(60));
        const std::map<std::string, std::string> auth{{"Authorization", "Bearer " + admin_key}};

        const auto now = now_ms();
        const auto utc_start = day_start_ms(now, 0);
        const auto kolkata_start = day_start_ms(now, 330 * 60'000);
        std::size_t body_bytes = 0;
        auto route = [&](std::int64_t today_start)
        {
            const auto target =
                fmt::format("/v0/management/dashboard/summary?today_start_ms={}&now_ms={}", today_start, now);
            return time_calls(
                [&, target]
                {
                    auto r = client.get(target, auth);
                    if (r.status != 200)
                        throw std::runtime_error(fmt::format("{} -> {}: {}", target, r.status, r.body));
                    body_bytes = r.body.size();
                }
            );
        };
        auto reference_sql = ro.prepare(
            "SELECT model, ts_ns / 3600000000000, count(*), sum(total_tokens), sum(failed) FROM events "
            "WHERE ts_ns >= ?1 AND ts_ns < ?2 GROUP BY 1, 2",
            true
        );
        std::int64_t reference_calls = 0;
        auto reference = [&](std::int64_t from, std::int64_t to)
        { return time_calls([&] { reference_calls = naive_query(reference_sql, from, to); }); };

        // The dashboard covers today and the rolling last 24 hours: the reference reads both.
        const auto utc_from = std::min(utc_start, now - day_ms);
        const auto kolkata_from = std::min(kolkata_start, now - day_ms);
        const auto route_utc = route(utc_start);
        const auto reference_utc = reference(utc_from, now + 1);
        const auto rows_utc = reference_calls;
        const auto route_kolkata = route(kolkata_start);
        const auto reference_kolkata = reference(kolkata_from, now + 1);
        const auto rows_kolkata = reference_calls;
        const auto reference_30d = reference(now - 30 * day_ms, now + 1);
        const auto rows_30d = reference_calls;

        fmt::print(
            "GET /v0/management/dashboard/summary through HTTP ({} runs after {} warm-ups; body {} bytes)\n",
            runs,
            warm_ups,
            body_bytes
        );
        fmt::print("reference: SELECT model, hour, count(*), sum(total_tokens), sum(failed) ... GROUP BY "
                   "model, hour "
                   "on a read-only connection\n");
        print_row(
            fmt::format("today from UTC midnight ({} events in day+24h)", rows_utc).c_str(),
            route_utc,
            reference_utc
        );
        print_row(
            fmt::format("today from Kolkata midnight ({} in day+24h)", rows_kolkata).c_str(),
            route_kolkata,
            reference_kolkata
        );
        fmt::print(
            "  naive GROUP BY over 30 days ({} raw events):  p50 {:8.2f} ms  p95 {:8.2f} ms; route UTC / it: "
            "p50 {:.2f}  p95 {:.2f}\n",
            rows_30d,
            reference_30d.p50,
            reference_30d.p95,
            route_utc.p50 / reference_30d.p50,
            route_utc.p95 / reference_30d.p95
        );
        fmt::print(
            "daemon peak RSS: {:.1f} MB; target (issue 19, at 10 M events): dashboard p95 <= 20 ms\n",
            static_cast<double>(daemon_peak_rss_kb(daemon.process().pid())) / 1024
        );
    }
    catch (const std::exception& e)
    {
        fmt::print(stderr, "bench-analytics: {}\n", e.what());
        return 1;
    }
    if (!keep)
        std::filesystem::remove_all(dir);
    return 0;
}
