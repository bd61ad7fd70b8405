// Ingest, storage and read benchmark (issue 4). One run measures:
//  1. end to end on one core: parse -> normalize -> hash -> one-transaction batches into the real
//     schema (interning, dedup, rollups), versus the limit: the same rows, already computed,
//     inserted with one prepared statement in 1000-row transactions into the same events table.
//     Both run --repeat times, alternately, because the VM's speed drifts within a run: medians are
//     printed, and the ratio is the median over pairs (an end-to-end run and the limit run after it);
//  2. bytes per event on disk (database + WAL after a TRUNCATE checkpoint), indexes and rollups
//     included;
//  3. peak RSS of the process during ingest;
//  4. the GET /v0/management/usage body (newest 50 000 events) built from that database, against
//     the reference of a plain SELECT of the same 50 000 newest rows.

#include "bench_util.hpp"
#include "record_generator.hpp"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cpamd/analytics/usage_payload.hpp>
#include <cpamd/store/batch_writer.hpp>
#include <cpamd/store/database.hpp>
#include <cpamd/store/event_writer.hpp>
#include <cpamd/store/writer_metrics.hpp>
#include <cpamd/usage/parse_record.hpp>
#include <cstring>
#include <filesystem>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <fstream>
#include <string>
#include <sys/resource.h>
#include <thread>
#include <variant>
#include <vector>

namespace
{

using namespace cpamd;

constexpr std::int64_t start_ms = 1787356800000; // 2026-08-22T00:00:00Z
constexpr std::int64_t step_ms = 40;             // 25 events/s of history
constexpr std::int64_t batch = 1000;

using bench::clock_type;
using bench::seconds_since;
using bench::size_of;

void remove_database(const std::filesystem::path& p)
{
    for (const char* suffix : {"", "-wal", "-shm"})
        std::filesystem::remove(p.string() + suffix);
}

long peak_rss_kb()
{
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return u.ru_maxrss;
}

double median(std::vector<double> v)
{
    std::sort(v.begin(), v.end());
    const auto n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

// One column value as stored: integer (interned ids, counters), real, text or NULL.
using cell = std::variant<std::monostate, std::int64_t, double, std::string>;

struct stored_row
{
    std::int64_t ts_ns;
    std::string hash;
    std::vector<cell> cells; // every other column, exactly as the end-to-end run stored it
};

struct end_to_end_run
{
    double seconds = 0;
    double parse_seconds = 0;
    std::uint64_t json_bytes = 0;
    std::uint64_t inserted = 0;
};

// The generated records, one per line: the input of both end-to-end runs.
void write_records_file(const std::filesystem::path& path, std::int64_t events)
{
    std::ofstream out(path, std::ios::binary);
    bench::record_generator gen(42);
    for (std::int64_t i = 0; i < events; ++i)
        out << gen.next(start_ms + i * step_ms) << '\n';
}

// The records through the real parser and writer into a fresh database, on this thread. Reading
// them from the file is not timed.
end_to_end_run run_end_to_end(const std::filesystem::path& path, const std::filesystem::path& records)
{
    end_to_end_run r;
    auto db = store::open_writer(path);
    store::batch_writer writer(db);
    std::ifstream in(records, std::ios::binary);
    std::vector<std::string> raw;
    std::vector<usage::event> parsed;
    for (bool last = false; !last;)
    {
        raw.clear();
        std::string line;
        while (static_cast<std::int64_t>(raw.size()) < batch && std::getline(in, line))
            raw.push_back(std::move(line));
        last = in.peek() == std::char_traits<char>::eof();
        auto t = clock_type::now();
        parsed.clear();
        for (const auto& record : raw)
        {
            r.json_bytes += record.size();
            auto ev = usage::parse_record(std::string_view(record));
            if (ev)
                parsed.push_back(std::move(*ev));
        }
        r.parse_seconds += seconds_since(t);
        // As event_writer does: rollups deferred, folded at the pending cap and by the last batch.
        r.inserted +=
            writer.write(parsed, {}, nullptr, last ? store::rollup_mode::fold : store::rollup_mode::defer)
                .inserted;
        r.seconds += seconds_since(t);
    }
    db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    return r;
}

struct pipelined_run
{
    double seconds = 0;
    double writer_busy_seconds = 0;   // inside the writer's transactions
    double producer_wait_seconds = 0; // the parsing thread waiting for the writer to catch up
    std::uint64_t transactions = 0;
    std::uint64_t inserted = 0;
};

std::uint64_t transactions_so_far()
{
    std::uint64_t n = 0;
    for (auto c : store::writer_metrics::process().batch_sizes().counts)
        n += c;
    return n;
}

// As the daemon runs it: this thread parses (the collector's ingest strand), the event_writer
// commits on its own thread, up to its max_batch events per transaction. At most
// max_in_flight parsed events wait for the writer, as the collector's bounded queue allows.
pipelined_run run_pipelined(const std::filesystem::path& path, const std::filesystem::path& records)
{
    pipelined_run run;
    constexpr std::uint64_t max_in_flight = 8192;
    std::mutex m;
    std::condition_variable cv;
    std::uint64_t in_flight = 0, committed = 0;
    std::optional<std::string> error;
    store::event_writer writer(path);
    std::ifstream in(records, std::ios::binary);
    std::string line;
    std::vector<usage::event> parsed;
    // Written events come back with their results; this thread frees them, as the daemon's
    // collector does on its own executor.
    std::vector<std::vector<usage::event>> written;
    auto submit = [&]
    {
        std::unique_lock lock(m);
        auto waited = clock_type::now();
        cv.wait(lock, [&] { return in_flight + parsed.size() <= max_in_flight || in_flight == 0; });
        run.producer_wait_seconds += seconds_since(waited);
        in_flight += parsed.size();
        auto to_free = std::exchange(written, {});
        lock.unlock();
        to_free.clear();
        auto n = parsed.size();
        writer.submit(
            std::exchange(parsed, {}),
            {},
            [&, n](store::write_result r)
            {
                std::lock_guard lock(m);
                in_flight -= n;
                committed += r.counts.inserted;
                if (r.error)
                    error = r.error;
                written.push_back(std::move(r.events));
                cv.notify_all();
            }
        );
        parsed.reserve(batch);
    };
    const double busy_before = store::writer_metrics::process().batch_seconds().sum;
    const auto transactions_before = transactions_so_far();
    auto t = clock_type::now();
    while (std::getline(in, line))
    {
        if (auto ev = usage::parse_record(std::string_view(line)))
            parsed.push_back(std::move(*ev));
        if (static_cast<std::int64_t>(parsed.size()) == batch)
            submit();
    }
    if (!parsed.empty())
        submit();
    writer.drain();
    run.seconds = seconds_since(t);
    if (error)
        throw std::runtime_error("pipelined run: " + *error);
    run.writer_busy_seconds = store::writer_metrics::process().batch_seconds().sum - busy_before;
    run.transactions = transactions_so_far() - transactions_before;
    run.inserted = committed;
    return run;
}

// The events rows of `path` as stored (interned ids, counters), with their column names.
std::vector<stored_row> read_stored_rows(const std::filesystem::path& path, std::vector<std::string>& columns)
{
    std::vector<stored_row> rows;
    store::connection src(path, store::connection::mode::read_only);
    auto info =
        src.prepare("SELECT name FROM pragma_table_info('events') WHERE name NOT IN ('id','ts_ns','hash')");
    while (info.step())
        columns.emplace_back(info.text(0));
    std::string select = "SELECT ts_ns, hash";
    for (const auto& c : columns)
        select += ", " + c;
    auto s = src.prepare(select + " FROM events ORDER BY id");
    while (s.step())
    {
        stored_row r{s.int64(0), std::string(s.blob(1)), {}};
        for (std::size_t c = 0; c < columns.size(); ++c)
        {
            int col = static_cast<int>(c + 2);
            switch (sqlite3_column_type(s.handle(), col))
            {
            case SQLITE_INTEGER:
                r.cells.emplace_back(s.int64(col));
                break;
            case SQLITE_FLOAT:
                r.cells.emplace_back(s.real(col));
                break;
            case SQLITE_NULL:
                r.cells.emplace_back(std::monostate{});
                break;
            default:
                r.cells.emplace_back(std::string(s.text(col)));
                break;
            }
        }
        rows.push_back(std::move(r));
    }
    return rows;
}

// The limit: `rows` inserted with one prepared statement in 1000-row transactions into a fresh
// database of the same schema. Returns the seconds taken.
double run_limit(
    const std::filesystem::path& path,
    const std::vector<stored_row>& rows,
    const std::vector<std::string>& columns
)
{
    auto db = store::open_writer(path);
    std::string sql = "INSERT INTO events (ts_ns, hash";
    std::string values = "VALUES (?, ?";
    for (const auto& c : columns)
    {
        sql += ", " + c;
        values += ", ?";
    }
    auto ins = db.prepare(sql + ") " + values + ")", true);
    auto t = clock_type::now();
    for (std::size_t i = 0; i < rows.size(); i += batch)
    {
        store::transaction tx(db);
        for (std::size_t j = i; j < std::min(rows.size(), i + batch); ++j)
        {
            const auto& r = rows[j];
            ins.bind(1, r.ts_ns).bind_blob(2, r.hash.data(), r.hash.size());
            for (std::size_t c = 0; c < r.cells.size(); ++c)
            {
                int param = static_cast<int>(c + 3);
                std::visit(
                    [&](const auto& v)
                    {
                        using T = std::decay_t<decltype(v)>;
                        if constexpr (std::is_same_v<T, std::monostate>)
                            ins.bind_null(param);
                        else
                            ins.bind(param, v);
                    },
                    r.cells[c]
                );
            }
            ins.run();
        }
        tx.commit();
    }
    return seconds_since(t);
}

} // namespace

int main(int argc, char** argv)
{
    std::int64_t events = 1'000'000;
    int repeat = 3;
    bool keep = false;
    std::filesystem::path dir = std::filesystem::temp_directory_path() / "cpamd-bench-ingest";
    for (int i = 1; i < argc; ++i)
    {
        if (!std::strcmp(argv[i], "--events") && i + 1 < argc)
            events = std::stoll(argv[++i]);
        else if (!std::strcmp(argv[i], "--repeat") && i + 1 < argc)
            repeat = std::max(1, std::stoi(argv[++i]));
        else if (!std::strcmp(argv[i], "--keep"))
            keep = true;
        else if (!std::strcmp(argv[i], "--dir") && i + 1 < argc)
            dir = argv[++i];
        else
        {
            fmt::print(stderr, "usage: bench-ingest [--events N] [--repeat N] [--dir DIR] [--keep]\n");
            return 2;
        }
    }
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);

    // 1. End to end on one thread, end to end pipelined, then the limit on the rows the first
    //    end-to-end run stored, alternately.
    const auto e2e_path = dir / "e2e.sqlite";
    const auto pipelined_path = dir / "pipelined.sqlite";
    const auto ref_path = dir / "reference.sqlite";
    const auto records_path = dir / "records.jsonl";
    write_records_file(records_path, events);
    std::vector<stored_row> rows;
    std::vector<std::string> columns;
    std::vector<double> e2e_rates, parse_seconds, writer_seconds, pipelined_rates, ref_rates, ratios,
        pipelined_ratios;
    end_to_end_run first;
    long rss_kb = 0;
    std::uint64_t e2e_bytes = 0;
    for (int run = 0; run < repeat; ++run)
    {
        remove_database(e2e_path);
        auto e = run_end_to_end(e2e_path, records_path);
        remove_database(pipelined_path);
        const auto p = run_pipelined(pipelined_path, records_path);
        if (p.inserted != e.inserted)
        {
            fmt::print(stderr, "pipelined run stored {} events, one-thread run {}\n", p.inserted, e.inserted);
            return 1;
        }
        fmt::print(
            "  run {}: pipelined {:.2f} s, writer busy {:.2f} s in {} transactions, parser waited {:.2f} s\n",
            run + 1,
            p.seconds,
            p.writer_busy_seconds,
            p.transactions,
            p.producer_wait_seconds
        );
        if (run == 0)
        {
            first = e;
            rss_kb = peak_rss_kb(); // 3., before the limit's rows are loaded into memory
            e2e_bytes = size_of(e2e_path) + size_of(e2e_path.string() + "-wal"); // 2.
            rows = read_stored_rows(e2e_path, columns);
        }
        remove_database(ref_path);
        const double ref_seconds = run_limit(ref_path, rows, columns);
        e2e_rates.push_back(static_cast<double>(e.inserted) / e.seconds);
        parse_seconds.push_back(e.parse_seconds);
        writer_seconds.push_back(e.seconds - e.parse_seconds);
        pipelined_rates.push_back(static_cast<double>(p.inserted) / p.seconds);
        ref_rates.push_back(static_cast<double>(rows.size()) / ref_seconds);
        ratios.push_back(e2e_rates.back() / ref_rates.back());
        pipelined_ratios.push_back(pipelined_rates.back() / ref_rates.back());
    }

    // 4. Reads: the /usage body in 64 KiB pieces (as the route streams it) vs a plain SELECT of the
    //    same window, both in one read transaction on a read-only connection.
    double payload_seconds = 0, select_seconds = 0;
    std::size_t payload_bytes = 0;
    {
        auto db = store::open_reader(e2e_path);
        auto window = analytics::usage_window(50000);
        auto t = clock_type::now();
        db.exec("BEGIN");
        {
            analytics::usage_payload payload(db, window);
            std::string piece;
            while (true)
            {
                piece.clear();
                bool more = payload.next(piece, 64 * 1024);
                payload_bytes += piece.size();
                if (!more)
                    break;
            }
        }
        db.exec("COMMIT");
        payload_seconds = seconds_since(t);
        t = clock_type::now();
        auto s = db.prepare("SELECT * FROM events ORDER BY ts_ns DESC, id DESC LIMIT ?1");
        s.bind(1, window);
        while (s.step())
        {
        }
        select_seconds = seconds_since(t);
    }

    fmt::print(
        "bench-ingest: {} events ({:.0f} bytes of JSON each on average); {} alternating run(s), medians:\n",
        events,
        static_cast<double>(first.json_bytes) / static_cast<double>(events),
        repeat
    );
    fmt::print(
        "  end to end (parse, normalize, hash, intern, dedup, rollups): {:>9.0f} events/s  (runs: {:.0f})\n",
        median(e2e_rates),
        fmt::join(e2e_rates, ", ")
    );
    fmt::print(
        "    of which parse + normalize + hash: {:.2f} s; writer (intern, insert, rollups): {:.2f} s\n",
        median(parse_seconds),
        median(writer_seconds)
    );
    fmt::print(
        "  limit (prepared INSERT of the same rows, 1000-row tx):       {:>9.0f} events/s  (runs: {:.0f})\n",
        median(ref_rates),
        fmt::join(ref_rates, ", ")
    );
    fmt::print(
        "  end to end as the daemon runs it (parse on one thread, writer on its own): {:>9.0f} events/s  "
        "(runs: {:.0f})\n",
        median(pipelined_rates),
        fmt::join(pipelined_rates, ", ")
    );
    fmt::print(
        "  ratio one thread / limit: {:.2f}  (pairs: {:.2f}); target >= 50000 events/s on one core\n",
        median(ratios),
        fmt::join(ratios, ", ")
    );
    fmt::print(
        "  ratio as the daemon runs it / limit: {:.2f}  (pairs: {:.2f}); target >= 0.5\n",
        median(pipelined_ratios),
        fmt::join(pipelined_ratios, ", ")
    );
    fmt::print(
        "  storage: {:.1f} bytes/event (database + WAL, indexes and rollups included; target <= 250)\n",
        static_cast<double>(e2e_bytes) / static_cast<double>(first.inserted)
    );
    fmt::print("  peak RSS during ingest: {:.1f} MB (target <= 100)\n", static_cast<double>(rss_kb) / 1024.0);
    fmt::print(
        "  GET /v0/management/usage (newest 50 000 of {} events, {:.1f} MB body): {:.0f} ms; plain SELECT of "
        "the same rows: {:.0f} ms; ratio {:.1f}\n",
        first.inserted,
        static_cast<double>(payload_bytes) / 1e6,
        payload_seconds * 1000,
        select_seconds * 1000,
        payload_seconds / select_seconds
    );
    if (!keep)
        std::filesystem::remove_all(dir);
    return 0;
}
