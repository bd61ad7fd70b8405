// Ingest, storage and read benchmark (issue 4). One run measures:
//  1. end to end on one core: parse -> normalize -> hash -> one-transaction batches into the real
//     schema (interning, dedup, rollups), versus the limit: the same rows, already computed,
//     inserted with one prepared statement in 1000-row transactions into the same events table;
//  2. bytes per event on disk (database + WAL after a TRUNCATE checkpoint), indexes and rollups
//     included;
//  3. peak RSS of the process during ingest;
//  4. the GET /v0/management/usage body (newest 50 000 events) built from that database, against
//     the reference of a plain SELECT of the same 50 000 newest rows.

#include "record_generator.hpp"

#include <chrono>
#include <cpamd/analytics/usage_payload.hpp>
#include <cpamd/store/batch_writer.hpp>
#include <cpamd/store/database.hpp>
#include <cpamd/usage/parse_record.hpp>
#include <cstring>
#include <filesystem>
#include <fmt/format.h>
#include <string>
#include <sys/resource.h>
#include <variant>
#include <vector>

namespace
{

using clock_type = std::chrono::steady_clock;
using namespace cpamd;

double seconds_since(clock_type::time_point t)
{
    return std::chrono::duration<double>(clock_type::now() - t).count();
}

std::uint64_t size_of(const std::filesystem::path& p)
{
    std::error_code ec;
    auto n = std::filesystem::file_size(p, ec);
    return ec ? 0 : n;
}

long peak_rss_kb()
{
    rusage u{};
    getrusage(RUSAGE_SELF, &u);
    return u.ru_maxrss;
}

// One column value as stored: integer (interned ids, counters), real, text or NULL.
using cell = std::variant<std::monostate, std::int64_t, double, std::string>;

struct stored_row
{
    std::int64_t ts_ns;
    std::string hash;
    std::vector<cell> cells; // every other column, exactly as the end-to-end run stored it
};

} // namespace

int main(int argc, char** argv)
{
    std::int64_t events = 1'000'000;
    bool keep = false;
    std::filesystem::path dir = std::filesystem::temp_directory_path() / "cpamd-bench-ingest";
    for (int i = 1; i < argc; ++i)
    {
        if (!std::strcmp(argv[i], "--events") && i + 1 < argc)
            events = std::stoll(argv[++i]);
        else if (!std::strcmp(argv[i], "--keep"))
            keep = true;
        else if (!std::strcmp(argv[i], "--dir") && i + 1 < argc)
            dir = argv[++i];
        else
        {
            fmt::print(stderr, "usage: bench-ingest [--events N] [--dir DIR] [--keep]\n");
            return 2;
        }
    }
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    const std::int64_t start_ms = 1787356800000; // 2026-08-22T00:00:00Z
    const std::int64_t step_ms = 40;             // 25 events/s of history
    constexpr std::int64_t batch = 1000;

    // 1a. End to end through the real code, one thread.
    auto e2e_path = dir / "e2e.sqlite";
    double e2e_seconds = 0, parse_seconds = 0;
    std::uint64_t json_bytes = 0, inserted = 0;
    {
        auto db = store::open_writer(e2e_path);
        store::batch_writer writer(db);
        bench::record_generator gen(42);
        std::vector<std::string> raw;
        std::vector<usage::event> parsed;
        for (std::int64_t done = 0; done < events; done += batch)
        {
            raw.clear();
            for (std::int64_t i = done; i < std::min(events, done + batch); ++i)
                raw.push_back(gen.next(start_ms + i * step_ms));
            auto t = clock_type::now();
            parsed.clear();
            for (const auto& r : raw)
            {
                json_bytes += r.size();
                auto ev = usage::parse_record(std::string_view(r));
                if (ev)
                    parsed.push_back(std::move(*ev));
            }
            parse_seconds += seconds_since(t);
            inserted += writer.write(parsed, {}).inserted;
            e2e_seconds += seconds_since(t);
        }
        db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
    }
    long rss_kb = peak_rss_kb();
    std::uint64_t e2e_bytes = size_of(e2e_path) + size_of(e2e_path.string() + "-wal");

    // 1b. The limit: the same rows, read back already interned, inserted with one prepared
    //     statement in 1000-row transactions into a fresh copy of the same schema.
    std::vector<stored_row> rows;
    std::vector<std::string> columns;
    {
        store::connection src(e2e_path, store::connection::mode::read_only);
        auto info =
            src.prepare("SELECT name FROM pragma_table_info('events') WHERE name NOT IN ('id','ts_ns','hash')"
            );
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
    }
    auto ref_path = dir / "reference.sqlite";
    double ref_seconds = 0;
    {
        auto db = store::open_writer(ref_path);
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
                    int i = static_cast<int>(c + 3);
                    std::visit(
                        [&](const auto& v)
                        {
                            using T = std::decay_t<decltype(v)>;
                            if constexpr (std::is_same_v<T, std::monostate>)
                                ins.bind_null(i);
                            else
                                ins.bind(i, v);
                        },
                        r.cells[c]
                    );
                }
                ins.run();
            }
            tx.commit();
        }
        ref_seconds = seconds_since(t);
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
        std::int64_t rows_read = 0;
        while (s.step())
            rows_read += s.int64(0) > 0;
        select_seconds = seconds_since(t);
    }

    double e2e_rate = static_cast<double>(inserted) / e2e_seconds;
    double ref_rate = static_cast<double>(rows.size()) / ref_seconds;
    fmt::print(
        "bench-ingest: {} events ({:.0f} bytes of JSON each on average)\n",
        events,
        static_cast<double>(json_bytes) / static_cast<double>(events)
    );
    fmt::print(
        "  end to end (parse, normalize, hash, intern, dedup, rollups): {:>9.0f} events/s  ({:.2f} s)\n",
        e2e_rate,
        e2e_seconds
    );
    fmt::print(
        "    of which parse + normalize + hash: {:.2f} s; writer (intern, insert, rollups): {:.2f} s\n",
        parse_seconds,
        e2e_seconds - parse_seconds
    );
    fmt::print(
        "  limit (prepared INSERT of the same rows, 1000-row tx):       {:>9.0f} events/s  ({:.2f} s)\n",
        ref_rate,
        ref_seconds
    );
    fmt::print(
        "  ratio end to end / limit: {:.2f}  (target >= 0.5; target >= 50000 events/s)\n", e2e_rate / ref_rate
    );
    fmt::print(
        "  storage: {:.1f} bytes/event (database + WAL, indexes and rollups included; target <= 250)\n",
        static_cast<double>(e2e_bytes) / static_cast<double>(inserted)
    );
    fmt::print("  peak RSS during ingest: {:.1f} MB (target <= 100)\n", static_cast<double>(rss_kb) / 1024.0);
    fmt::print(
        "  GET /v0/management/usage (newest 50 000 of {} events, {:.1f} MB body): {:.0f} ms; plain SELECT of "
        "the "
        "same rows: {:.0f} ms; ratio {:.1f}\n",
        inserted,
        static_cast<double>(payload_bytes) / 1e6,
        payload_seconds * 1000,
        select_seconds * 1000,
        payload_seconds / select_seconds
    );
    if (!keep)
        std::filesystem::remove_all(dir);
    return 0;
}
