// The rollups' context bands (context_bands.hpp): keys written by the writer, the schema v4
// upgrade, and the background re-derivation after a threshold change.

#include "sample_events.hpp"

#include <catch2/catch.hpp>
#include <chrono>
#include <cpamd/store/context_bands.hpp>
#include <cpamd/store/database.hpp>
#include <cpamd/store/event_writer.hpp>
#include <cpamd/store/migrations.hpp>
#include <cpamd/test/temp_dir.hpp>
#include <future>
#include <string>
#include <thread>
#include <vector>

namespace
{

using namespace cpamd;
using namespace cpamd::store;

// Every rollup row as text, in key order: equal dumps mean equal tables.
std::vector<std::string> dump_rollups(connection& db)
{
    std::vector<std::string> rows;
    auto s = db.prepare(
        "SELECT hour, model, provider, auth_index, endpoint, failed, billing_model, service_tier, "
        "context_floor, calls, input_tokens, cost_uncached, cost_output, latency_count, hex(latency_hist) "
        "FROM rollup_hour ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9"
    );
    while (s.step())
    {
        std::string row;
        for (int i = 0; i < 15; ++i)
            row += std::string(s.text(i)) + "|";
        rows.push_back(std::move(row));
    }
    return rows;
}

void run_task(event_writer& w, std::function<void(connection&)> f)
{
    std::promise<std::optional<std::string>> done;
    w.post_task(std::move(f), [&](std::optional<std::string> e) { done.set_value(std::move(e)); });
    auto error = done.get_future().get();
    REQUIRE_FALSE(error);
}

bool wait_until_current(connection& reader)
{
    for (int i = 0; i < 3000; ++i)
    {
        if (!read_context_band_state(reader).rederiving())
            return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return false;
}

// Events over three hours with inputs on both sides of 1,000 and 1,500 tokens.
std::vector<usage::event> events_over_hours()
{
    std::vector<usage::event> evs;
    for (int i = 0; i < 900; ++i)
        evs.push_back(test::sample_event(i, 6 + i % 3));
    return evs;
}

void add_tier(connection& c, std::int64_t threshold)
{
    c.exec("INSERT OR IGNORE INTO model_prices (model, prompt_per_1m, completion_per_1m) VALUES ('m', 1, 2)");
    auto s = c.prepare(
        "INSERT INTO model_price_context_tiers (model, threshold_tokens, prompt_per_1m, prompt_configured) "
        "VALUES ('m', ?1, 3, 1)"
    );
    s.bind(1, threshold).run();
}

} // namespace

TEST_CASE(
    "new rows carry the billing model, the tier and the band of the stored thresholds", "[store][bands]"
)
{
    test::temp_dir dir;
    event_writer w(dir / "usage.sqlite", {.rollup_fold_delay = std::chrono::milliseconds(0)});
    auto reader = open_reader(dir / "usage.sqlite");
    run_task(
        w,
        [](connection& c)
        {
            transaction tx(c);
            add_tier(c, 1200);
            CHECK(refresh_context_bands(c));
            CHECK_FALSE(refresh_context_bands(c)); // unchanged: no new re-derivation
            tx.commit();
        }
    );
    auto ev = test::sample_event(1);
    ev.response_model = "served-by";
    ev.tokens = {};
    ev.cost = {.input_uncached = 1000, .cache_read = 500, .output = 10};
    auto small = test::sample_event(2);
    small.cost = {.input_uncached = 100, .output = 10};
    w.submit({ev, small}, {}, {});
    w.drain();
    auto st = read_context_band_state(reader);
    CHECK(st.thresholds == std::vector<std::int64_t>{1200, 272'000});
    CHECK_FALSE(st.rederiving());
    // 1,500 input tokens strictly exceed 1,200; 100 exceed nothing.
    CHECK(reader.query_int("SELECT count(*) FROM rollup_hour WHERE context_floor = 1200") == 1);
    CHECK(reader.query_int("SELECT count(*) FROM rollup_hour WHERE context_floor = 0") == 1);
    CHECK(
        reader.query_int("SELECT count(*) FROM rollup_hour r JOIN dim d ON d.id = r.billing_model "
                         "WHERE d.value = 'served-by'") == 1
    );
    CHECK(
        reader.query_int("SELECT count(*) FROM rollup_hour r JOIN dim d ON d.id = r.billing_model "
                         "WHERE d.value = 'gemini-2.5-pro'") == 1 // no response_model: the served model
    );
    CHECK(reader.query_int("SELECT count(*) FROM events WHERE response_model != 0") == 1);
}

TEST_CASE("a threshold change re-derives every hour to what a fresh build gives", "[store][bands]")
{
    test::temp_dir dir, fresh_dir;
    auto evs = events_over_hours();
    {
        // The reference: the final thresholds in place before any event is written.
        event_writer fresh(fresh_dir / "usage.sqlite");
        run_task(
            fresh,
            [](connection& c)
            {
                transaction tx(c);
                add_tier(c, 1500);
                refresh_context_bands(c);
                tx.commit();
            }
        );
        fresh.submit(evs, {}, {});
        fresh.drain();
    }
    writer_options o;
    o.band_rederive_step_events = 50; // one hour per step
    event_writer w(dir / "usage.sqlite", o);
    w.submit(evs, {}, {});
    w.drain();
    auto reader = open_reader(dir / "usage.sqlite");
    auto fresh_reader = open_reader(fresh_dir / "usage.sqlite");
    auto before = dump_rollups(reader);
    REQUIRE(before != dump_rollups(fresh_reader)); // the events do straddle 1,500

    run_task(
        w,
        [](connection& c)
        {
            transaction tx(c);
            add_tier(c, 1500);
            CHECK(refresh_context_bands(c));
            tx.commit();
        }
    );
    REQUIRE(wait_until_current(reader));
    CHECK(dump_rollups(reader) == dump_rollups(fresh_reader));
    auto st = read_context_band_state(reader);
    CHECK(st.hours_total == 3);
    CHECK(st.hours_done == 3);
}

TEST_CASE("an hour whose events retention removed keeps its rows", "[store][bands]")
{
    test::temp_dir dir;
    {
        event_writer w(dir / "usage.sqlite");
        w.submit(events_over_hours(), {}, {});
        w.drain();
        auto reader = open_reader(dir / "usage.sqlite");
        run_task(
            w,
            [](connection& c)
            {
                // Retention took part of hour 6: its rows are now the only full record of it.
                c.exec("DELETE FROM events WHERE id IN (SELECT id FROM events ORDER BY ts_ns LIMIT 10)");
                transaction tx(c);
                add_tier(c, 1500);
                refresh_context_bands(c);
                tx.commit();
            }
        );
        REQUIRE(wait_until_current(reader));
        CHECK(
            reader.query_int(
                "SELECT sum(calls) FROM rollup_hour WHERE hour = (SELECT min(hour) FROM rollup_hour)"
            ) == 300
        );
        // The other hours were re-derived: some of their rows now sit on the new floor.
        CHECK(reader.query_int("SELECT count(*) FROM rollup_hour WHERE context_floor = 1500") > 0);
        CHECK(
            reader.query_int("SELECT count(*) FROM rollup_hour WHERE context_floor = 1500 AND hour = (SELECT "
                             "min(hour) FROM rollup_hour)") == 0
        );
    }
}

TEST_CASE("a database from before schema v4 gets its bands at the first start", "[store][bands]")
{
    test::temp_dir dir;
    auto path = dir / "usage.sqlite";
    std::vector<std::string> expected;
    {
        event_writer w(path);
        w.submit(events_over_hours(), {}, {});
        w.drain();
        auto reader = open_reader(path);
        expected = dump_rollups(reader);
    }
    {
        // What migration v4 leaves: zeros in the three new key columns, no band state.
        connection db(path, connection::mode::read_write);
        db.exec("UPDATE rollup_hour SET billing_model = 0, service_tier = 0, context_floor = 0");
        db.exec("DELETE FROM settings WHERE key = 'rollup_context_bands_v1'");
    }
    event_writer w(path);
    w.drain(); // the start-up work (refresh_context_bands) has run
    auto reader = open_reader(path);
    CHECK(read_context_band_state(reader).hours_total == 3);
    REQUIRE(wait_until_current(reader));
    CHECK(dump_rollups(reader) == expected);
}

TEST_CASE("migration v4 copies v3 rollups and keeps legacy pending deltas readable", "[store][bands]")
{
    test::temp_dir dir;
    connection db(dir / "usage.sqlite", connection::mode::read_write_create);
    migrate_to(db, 3);
    db.exec("INSERT INTO rollup_hour (hour, model, provider, auth_index, api_key, endpoint, failed, calls, "
            "input_tokens, "
            "output_tokens, reasoning_tokens, cached_tokens, cache_tokens, cache_read_tokens, "
            "cache_creation_tokens, "
            "total_tokens, cost_uncached, cost_cache_read, cost_cache_write, cost_output, cost_reasoning, "
            "latency_count, "
            "latency_sum, ttft_count, ttft_sum) VALUES (490000, 1, 2, 3, 4, 5, 0, 7, 70, 7, 0, 0, 0, 0, 0, "
            "77, 70, 0, 0, "
            "7, 0, 0, 0, 0, 0)");
    db.exec("INSERT INTO rollup_pending (events, deltas) VALUES (1, x'00')");
    migrate(db);
    CHECK(
        db.query_int(
            "SELECT count(*) FROM rollup_hour WHERE calls = 7 AND billing_model = 0 AND context_floor = 0"
        ) == 1
    );
    CHECK(db.query_int("SELECT format FROM rollup_pending") == 1);
    CHECK(
        db.query_int(
            "SELECT count(*) FROM pragma_table_info('events') WHERE name IN ('response_model', 'stream')"
        ) == 2
    );
}
