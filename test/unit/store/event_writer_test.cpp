#include "sample_events.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <cpamd/store/event_writer.hpp>
#include <cpamd/store/reader_pool.hpp>
#include <cpamd/store/store.hpp>
#include <cpamd/test/temp_dir.hpp>
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
