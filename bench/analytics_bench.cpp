// Analytics benchmark (issue 19, "Fast, flat in history size"). One run:
//  1. fills a database with --events generated events spread evenly over the 90 days ending now
//     (a dozen models, 50 API keys, 40 accounts bound to their providers, 4 % failures; see
//     record_generator.hpp, spread::by_provider) through the real parser and the
//     real event_writer, as the daemon ingests them;
//  2. starts the real daemon (bin/cpamd serve, next to this binary) on that data directory;
//  3. times each request of the table over HTTP, 2 warm-ups then 20 runs, p50 and p95,
//     beside a naive reference answering the same question from raw events (analytics_cases.hpp);
//  4. times /health while four overview requests run at once, and prints the daemon's peak RSS.

#include "analytics_cases.hpp"
#include "bench_util.hpp"
#include "record_generator.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cpamd/store/database.hpp>
#include <cpamd/store/event_writer.hpp>
#include <cpamd/store/projections.hpp>
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
#include <thread>
#include <vector>

namespace
{

using namespace cpamd;

constexpr std::int64_t day_ms = 86'400'000;
constexpr std::int64_t history_ms = 90 * day_ms;
constexpr std::size_t batch = 1000;

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
    bench::record_generator gen(19, 50, bench::spread::by_provider);
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

long daemon_peak_rss_kb(pid_t pid)
{
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line))
        if (line.starts_with("VmHWM:"))
            return std::stol(line.substr(6));
    return 0;
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

        test::running_daemon daemon(
            {{"CPA_MANAGER_ADMIN_KEY", bench::bench_admin_key}, {"USAGE_DATA_DIR", dir.string()}}
        );
        // The daemon's writer projects the hours the fill left queued (store/projections.hpp):
        // waited for, so the table measures reads of a settled database.
        {
            auto t = clock_type::now();
            // The hour and the day being written stay queued until they end.
            auto ended_queued = ro.prepare("SELECT (SELECT count(*) FROM proj_todo WHERE hour < ?1) + "
                                           "(SELECT count(*) FROM proj_day_todo WHERE day < ?1 / 24)");
            for (;;)
            {
                ended_queued.reset();
                ended_queued.bind(1, now_ms() / 3'600'000);
                if (!ended_queued.step() || ended_queued.int64(0) == 0)
                    break;
                std::this_thread::sleep_for(std::chrono::milliseconds(50));
            }
            fmt::print("projections settled {:.1f} s after the daemon started\n", seconds_since(t));
        }
        bench::run_cases(daemon, ro, now_ms());
        fmt::print(
            "daemon peak RSS: {:.1f} MB (target: <= 64 MB while serving them)\n",
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
