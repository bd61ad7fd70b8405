#include "sample_events.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <cpamd/store/database.hpp>
#include <cpamd/store/event_writer.hpp>
#include <cpamd/store/reader_pool.hpp>
#include <cpamd/store/store.hpp>
#include <cpamd/test/temp_dir.hpp>
#include <future>
#include <thread>

using namespace cpamd::store;
using cpamd::test::sample_event;
namespace asio = boost::asio;

TEST_CASE(
    "submissions from many threads are all committed, each with its own counts", "[store][event_writer]"
)
{
    cpamd::test::temp_dir dir;
    event_writer w(dir / "usage.sqlite");
    std::atomic<std::uint64_t> inserted{0}, duplicates{0}, callbacks{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back(
            [&, t]
            {
                for (int k = 0; k < 25; ++k)
                {
                    std::vector<cpamd::usage::event> evs;
                    for (int i = 0; i < 20; ++i)
                        evs.push_back(sample_event((t % 2) * 100000 + k * 20 + i)
                        ); // threads 0/2 and 1/3 overlap
                    w.submit(
                        std::move(evs),
                        {},
                        [&](write_result r)
                        {
                            REQUIRE_FALSE(r.error);
                            inserted += r.counts.inserted;
                            duplicates += r.counts.duplicates;
                            callbacks++;
                        }
                    );
                }
            }
        );
    for (auto& t : threads)
        t.join();
    w.drain();
    CHECK(callbacks == 100);
    CHECK(inserted == 1000);
    CHECK(duplicates == 1000);
    auto s = w.stats();
    CHECK(s.inserted == 1000);
    CHECK(s.duplicates == 1000);
    CHECK(s.pending == 0);
    CHECK(s.batches <= 100); // submissions were batched together
}

namespace
{

asio::awaitable<std::int64_t> write_then_count(event_writer& w, reader_pool& readers)
{
    std::vector<cpamd::usage::event> evs{sample_event(1), sample_event(2), sample_event(1)};
    auto r = co_await w.async_write(std::move(evs), {}, asio::use_awaitable);
    REQUIRE_FALSE(r.error);
    CHECK(r.counts.inserted == 2);
    CHECK(r.counts.duplicates == 1);
    CHECK(r.inserted == std::vector<bool>{true, true, false});
    co_return co_await readers.run([](connection& c) { return *c.query_int("SELECT count(*) FROM events"); });
}

} // namespace

TEST_CASE(
    "async_write completes on the caller's executor and readers see the commit", "[store][event_writer]"
)
{
    cpamd::test::temp_dir dir;
    std::string why;
    auto st = cpamd::store::store::open(dir / "usage.sqlite", 2, why);
    REQUIRE(st);
    asio::io_context ioc;
    std::int64_t count = -1;
    asio::co_spawn(
        ioc,
        write_then_count(st->writer(), st->readers()),
        [&](std::exception_ptr e, std::int64_t n)
        {
            REQUIRE_FALSE(e);
            count = n;
        }
    );
    ioc.run();
    CHECK(count == 2);
}

TEST_CASE("store::open refuses a second opener of the same database", "[store][event_writer]")
{
    cpamd::test::temp_dir dir;
    std::string why;
    auto first = cpamd::store::store::open(dir / "usage.sqlite", 1, why);
    REQUIRE(first);
    auto second = cpamd::store::store::open(dir / "usage.sqlite", 1, why);
    CHECK_FALSE(second);
    CHECK(why.find("another cpamd process") != std::string::npos);
    first.reset();
    CHECK(cpamd::store::store::open(dir / "usage.sqlite", 1, why));
}

TEST_CASE("write_sync runs on the writer thread and returns its value", "[store][event_writer]")
{
    cpamd::test::temp_dir dir;
    std::string why;
    auto st = cpamd::store::store::open(dir / "usage.sqlite", 1, why);
    REQUIRE(st);
    auto v = st->write_sync([](connection& c) { return *c.query_int("PRAGMA user_version"); });
    CHECK(v >= 1);
    CHECK_THROWS(st->write_sync([](connection& c) { c.exec("NOT SQL"); }));
}

namespace
{

// Submits `batches` batches of 100 events while the writer is held, so they queue behind each
// other; returns the rollup_pending row count seen after each commit. The completions only
// record (they run on the writer thread); the checks run here.
std::vector<std::int64_t> submit_held_batches(event_writer& w, connection& reader, int batches)
{
    std::vector<std::int64_t> pending_after;
    int failed = 0, handed_back = 0;
    std::promise<void> all_queued, all_written;
    w.post_task([queued = all_queued.get_future().share()](connection&) { queued.wait(); });
    for (int k = 0; k < batches; ++k)
    {
        std::vector<cpamd::usage::event> evs;
        for (int i = 0; i < 100; ++i)
            evs.push_back(sample_event(k * 100 + i, 6 + k % 2));
        // Runs on the writer thread after the commit, before the next batch.
        w.submit(
            std::move(evs),
            {},
            [&, last = k == batches - 1](write_result r)
            {
                failed += r.error.has_value();
                handed_back += r.events.size() == 100;
                pending_after.push_back(reader.query_int("SELECT count(*) FROM rollup_pending").value_or(-1));
                if (last)
                    all_written.set_value();
            }
        );
    }
    all_queued.set_value();
    all_written.get_future().wait();
    CHECK(failed == 0);
    CHECK(handed_back == batches); // the events come back, to be freed by the submitter
    return pending_after;
}

// The deferred rollups of 50 events, as a writer that crashed would leave them.
void leave_pending_rollups(const std::filesystem::path& path)
{
    auto db = open_writer(path);
    batch_writer bw(db);
    std::vector<cpamd::usage::event> evs;
    for (int i = 0; i < 50; ++i)
        evs.push_back(sample_event(i, 9));
    bw.write(evs, {}, nullptr, rollup_mode::defer);
}

// Polls until rollup_pending is empty; false if it still is not after `limit`.
bool rollups_folded_within(connection& reader, std::chrono::seconds limit)
{
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (reader.query_int("SELECT count(*) FROM rollup_pending") != 0)
    {
        if (std::chrono::steady_clock::now() >= deadline)
            return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return true;
}

} // namespace

TEST_CASE("the writer defers rollups and folds them after the fold delay", "[store][event_writer]")
{
    cpamd::test::temp_dir dir;
    event_writer w(
        dir / "usage.sqlite",
        writer_options{.max_batch = 100, .rollup_fold_delay = std::chrono::milliseconds(1500)}
    );
    connection reader(dir / "usage.sqlite", connection::mode::read_only);
    auto pending_after = submit_held_batches(w, reader, 8);
    // Every batch deferred its sums; none was folded yet, but the events are all there.
    CHECK(pending_after == std::vector<std::int64_t>{1, 2, 3, 4, 5, 6, 7, 8});
    CHECK(reader.query_int("SELECT count(*) FROM events") == 800);
    // No drain: the fold timer alone folds them, in one transaction.
    CHECK(rollups_folded_within(reader, std::chrono::seconds(10)));
    CHECK(reader.query_int("SELECT sum(calls) FROM rollup_hour") == 800);
}

TEST_CASE("a writer folds the rollups a previous writer left pending", "[store][event_writer]")
{
    cpamd::test::temp_dir dir;
    leave_pending_rollups(dir / "usage.sqlite");
    connection reader(dir / "usage.sqlite", connection::mode::read_only);
    REQUIRE(reader.query_int("SELECT count(*) FROM rollup_pending") == 1);
    event_writer w(dir / "usage.sqlite", writer_options{.rollup_fold_delay = std::chrono::milliseconds(100)});
    // Nothing is submitted: the fold comes from the pending rows alone.
    CHECK(rollups_folded_within(reader, std::chrono::seconds(10)));
    CHECK(reader.query_int("SELECT sum(calls) FROM rollup_hour") == 50);
}

TEST_CASE("a failed fold is retried, and does not hold up shutdown", "[store][event_writer]")
{
    cpamd::test::temp_dir dir;
    const auto path = dir / "usage.sqlite";
    leave_pending_rollups(path);
    connection fixer(path, connection::mode::read_write);
    // A malformed row: every fold fails while it is there.
    fixer.exec("INSERT INTO rollup_pending (events, deltas) VALUES (1, x'ff')");
    auto failed_folds_within = [](event_writer& w, std::uint64_t at_least)
    {
        auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (w.stats().failed_folds < at_least && std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        return w.stats().failed_folds >= at_least;
    };
    {
        event_writer w(path, writer_options{.rollup_fold_delay = std::chrono::milliseconds(50)});
        REQUIRE(failed_folds_within(w, 1));
        CHECK_THAT(w.stats().last_error, Catch::Contains("rollup_pending row 2 is malformed"));
        CHECK(w.stats().failed_batches == 0); // no batch lost anything
        // Repaired behind the writer's back: the next retry folds what is left.
        fixer.exec("DELETE FROM rollup_pending WHERE deltas = x'ff'");
        connection reader(path, connection::mode::read_only);
        CHECK(rollups_folded_within(reader, std::chrono::seconds(10)));
        CHECK(reader.query_int("SELECT sum(calls) FROM rollup_hour") == 50);
    }
    // A writer whose folds keep failing still stops: its destructor returns.
    fixer.exec("INSERT INTO rollup_pending (events, deltas) VALUES (1, x'ff')");
    {
        event_writer w(path, writer_options{.rollup_fold_delay = std::chrono::milliseconds(50)});
        CHECK(failed_folds_within(w, 1));
    }
    CHECK(fixer.query_int("SELECT count(*) FROM rollup_pending") == 1);
}

TEST_CASE("drain folds deferred rollups; a zero delay folds every batch", "[store][event_writer]")
{
    cpamd::test::temp_dir dir;
    SECTION("drain")
    {
        event_writer w(
            dir / "usage.sqlite", writer_options{.max_batch = 100, .rollup_fold_delay = std::chrono::hours(1)}
        );
        connection reader(dir / "usage.sqlite", connection::mode::read_only);
        CHECK(submit_held_batches(w, reader, 3) == std::vector<std::int64_t>{1, 2, 3});
        w.drain();
        CHECK(reader.query_int("SELECT count(*) FROM rollup_pending") == 0);
        CHECK(reader.query_int("SELECT sum(calls) FROM rollup_hour") == 300);
    }
    SECTION("zero delay")
    {
        event_writer w(
            dir / "usage.sqlite",
            writer_options{.max_batch = 100, .rollup_fold_delay = std::chrono::milliseconds(0)}
        );
        connection reader(dir / "usage.sqlite", connection::mode::read_only);
        CHECK(submit_held_batches(w, reader, 3) == std::vector<std::int64_t>{0, 0, 0});
        CHECK(reader.query_int("SELECT sum(calls) FROM rollup_hour") == 300);
    }
}

TEST_CASE("checkpoints off the writer thread keep the WAL bounded", "[store][event_writer]")
{
    cpamd::test::temp_dir dir;
    const auto wal = dir / "usage.sqlite-wal";
    std::uintmax_t largest_wal = 0;
    {
        // 100 frames (400 KB): the writer itself checkpoints at 400 frames.
        event_writer w(dir / "usage.sqlite", writer_options{.wal_checkpoint_frames = 100});
        for (int k = 0; k < 40; ++k)
        {
            std::vector<cpamd::usage::event> evs;
            for (int i = 0; i < 1000; ++i)
                evs.push_back(sample_event(k * 1000 + i, k % 24));
            w.submit(std::move(evs), {}, [](write_result r) { REQUIRE_FALSE(r.error); });
            w.drain();
            largest_wal = std::max(largest_wal, std::filesystem::file_size(wal));
        }
        auto stats = w.stats();
        CHECK(stats.inserted == 40000);
        CHECK(stats.background_checkpoints > 0);
        CHECK(stats.writer_checkpoints > 0);
    }
    // 40 000 events are ~9 MB of pages: without checkpoints the WAL would hold them all. With
    // them it restarts from its beginning once past 400 frames (1.6 MB), plus one transaction.
    INFO("largest WAL: " << largest_wal);
    CHECK(largest_wal < 3u * 1024 * 1024);
    connection db(dir / "usage.sqlite", connection::mode::read_only);
    CHECK(db.query_int("SELECT count(*) FROM events") == 40000);
}
