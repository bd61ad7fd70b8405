// Projections (projections.hpp): every projected hour equals a GROUP BY over its raw events;
// a late event, retention and a context threshold change each take the hours they touch out of
// the projections until they are projected again; the writer projects ended hours by itself, and
// prices them again after a price change.

#include "sample_events.hpp"

#include <catch2/catch.hpp>
#include <chrono>
#include <cpamd/store/context_bands.hpp>
#include <cpamd/store/database.hpp>
#include <cpamd/store/event_writer.hpp>
#include <cpamd/store/latency_histogram.hpp>
#include <cpamd/store/maintenance.hpp>
#include <cpamd/store/price_repository.hpp>
#include <cpamd/store/projections.hpp>
#include <cpamd/store/usage_rows.hpp>
#include <cpamd/test/temp_dir.hpp>
#include <fmt/format.h>
#include <future>
#include <string>
#include <thread>
#include <vector>

namespace
{

using namespace cpamd;
using namespace cpamd::store;

constexpr std::int64_t ns_per_hour = 3'600'000'000'000;
constexpr std::int64_t far_future_hour = 1'000'000'000; // every stored hour has ended by then

void run_task(event_writer& w, std::function<void(connection&)> f)
{
    std::promise<std::optional<std::string>> done;
    w.post_task(std::move(f), [&](std::optional<std::string> e) { done.set_value(std::move(e)); });
    REQUIRE_FALSE(done.get_future().get());
}

void project_everything(event_writer& w)
{
    run_task(
        w,
        [](connection& db)
        {
            transaction tx(db);
            while (project_step(db, far_future_hour, read_context_band_state(db).thresholds, 1000))
            {
            }
            tx.commit();
        }
    );
}

// One row per (hour, model key) with its sums, as text: from the projection, and straight from
// the events of the projected hours. Histograms are compared through their sample counts.
std::vector<std::string> projected_rows(connection& db)
{
    std::vector<std::string> out;
    auto s = db.prepare(
        "SELECT hour, model, provider, endpoint, failed, billing_model, service_tier, calls, input_tokens, "
        "output_tokens, reasoning_tokens, cached_tokens, cache_tokens, cache_read_tokens, "
        "cache_creation_tokens, "
        "total_tokens, cost_uncached, cost_cache_read, cost_cache_write, cost_output, cost_reasoning, "
        "latency_samples, latency_sum, ttft_samples, ttft_sum, zero_token_calls FROM proj_model_hour "
        "ORDER BY 1, 2, 3, 4, 5, 6, 7"
    );
    while (s.step())
    {
        std::string row;
        for (int i = 0; i < 26; ++i)
            row += std::to_string(s.int64(i)) + "|";
        out.push_back(std::move(row));
    }
    return out;
}

std::vector<std::string> raw_rows(connection& db)
{
    std::vector<std::string> out;
    auto s = db.prepare(
        "SELECT ts_ns / 3600000000000 AS h, model, provider, endpoint, failed, "
        "CASE WHEN response_model != 0 THEN response_model ELSE resolved_model END AS billing, service_tier, "
        "count(*), sum(input_tokens), sum(output_tokens), sum(reasoning_tokens), sum(cached_tokens), "
        "sum(cache_tokens), sum(cache_read_tokens), sum(cache_creation_tokens), sum(total_tokens), "
        "sum(cost_uncached), sum(cost_cache_read), sum(cost_cache_write), sum(cost_output), "
        "sum(cost_reasoning), "
        "sum(latency_ms > 0), coalesce(sum(CASE WHEN latency_ms > 0 THEN latency_ms END), 0), sum(ttft_ms > "
        "0), "
        "coalesce(sum(CASE WHEN ttft_ms > 0 THEN ttft_ms END), 0), sum(failed = 0 AND total_tokens = 0) "
        "FROM events WHERE ts_ns / 3600000000000 IN (SELECT hour FROM proj_hours) "
        "GROUP BY 1, 2, 3, 4, 5, 6, 7 ORDER BY 1, 2, 3, 4, 5, 6, 7"
    );
    while (s.step())
    {
        std::string row;
        for (int i = 0; i < 26; ++i)
            row += std::to_string(s.is_null(i) ? 0 : s.int64(i)) + "|";
        out.push_back(std::move(row));
    }
    return out;
}

// proj_identity_day as text, and the same from a GROUP BY over the events of the projected days.
constexpr const char* identity_dims =
    "api_key, auth_index, source, source_hash, auth_file_snapshot, account_snapshot, auth_label_snapshot, "
    "auth_provider_snapshot, auth_project_id_snapshot, provider, endpoint, model, failed";

std::vector<std::string> text_rows(statement s, int columns)
{
    std::vector<std::string> out;
    while (s.step())
    {
        std::string row;
        for (int i = 0; i < columns; ++i)
            row += std::to_string(s.is_null(i) ? 0 : s.int64(i)) + "|";
        out.push_back(std::move(row));
    }
    return out;
}

// The day rows (proj_identity_day), the hour rows (proj_identity_hour) or the blocks of a level
// (proj_identity_block), and the period of an event as SQL.
struct identity_table
{
    std::string table; // with the level's condition for blocks
    std::string period, event_period;
    std::string projected; // the periods that hold rows
};
const identity_table day_rows{
    "proj_identity_day", "day", "ts_ns / 86400000000000", "SELECT day FROM proj_days"};
const identity_table hour_rows{
    "proj_identity_hour",
    "hour",
    "ts_ns / 3600000000000",
    "SELECT hour FROM proj_hours WHERE identity_rows = 1"};
identity_table block_rows(int level)
{
    return {
        fmt::format("proj_identity_block WHERE level = {}", level),
        "block",
        fmt::format("(ts_ns / 86400000000000) >> {}", level),
        fmt::format("SELECT block FROM proj_blocks WHERE level = {}", level)};
}

std::vector<std::string> identity_rows(connection& db, const identity_table& t = day_rows)
{
    return text_rows(
        db.prepare(fmt::format(
            "SELECT {}, {}, billing_model, service_tier, calls, total_tokens, cost_uncached, cost_output, "
            "latency_samples, latency_sum, zero_token_calls, last_seen_ns, last_event_id FROM {} "
            "ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16",
            t.period,
            identity_dims,
            t.table
        )),
        27
    );
}

std::vector<std::string> raw_identity_rows(connection& db, const identity_table& t = day_rows)
{
    return text_rows(
        db.prepare(fmt::format(
            "SELECT {0}, {1}, CASE WHEN response_model != 0 THEN response_model ELSE "
            "resolved_model END, service_tier, count(*), sum(total_tokens), sum(cost_uncached), "
            "sum(cost_output), sum(latency_ms > 0), coalesce(sum(CASE WHEN latency_ms > 0 THEN latency_ms "
            "END), 0), sum(failed = 0 AND total_tokens = 0), max(ts_ns), id FROM events "
            "WHERE {0} IN ({2}) "
            "GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 "
            "ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16",
            t.event_period,
            identity_dims,
            t.projected
        )),
        27
    );
}

// Each row's (or each group of events') oldest event, by identity: a query of its own, since a
// GROUP BY with both min() and max() leaves raw_identity_rows' bare `id` undefined.
std::vector<std::string> first_seen(connection& db, const identity_table& t, bool raw)
{
    return text_rows(
        db.prepare(
            raw ? fmt::format(
                      "SELECT {0}, {1}, CASE WHEN response_model != 0 THEN response_model ELSE "
                      "resolved_model "
                      "END, service_tier, min(ts_ns) FROM events WHERE {0} IN ({2}) "
                      "GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 "
                      "ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16",
                      t.event_period,
                      identity_dims,
                      t.projected
                  )
                : fmt::format(
                      "SELECT {}, {}, billing_model, service_tier, first_seen_ns FROM {} "
                      "ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16",
                      t.period,
                      identity_dims,
                      t.table
                  )
        ),
        17
    );
}

std::vector<std::int64_t> hours_in(connection& db, const char* table)
{
    std::vector<std::int64_t> out;
    auto s = db.prepare(std::string("SELECT hour FROM ") + table + " ORDER BY hour");
    while (s.step())
        out.push_back(s.int64(0));
    return out;
}

std::vector<usage::event> events_in_hours(int first, int count, std::initializer_list<int> hours)
{
    std::vector<usage::event> out;
    for (int h : hours)
        for (int i = first; i < first + count; ++i)
            out.push_back(test::sample_event(i, h));
    return out;
}

void write(event_writer& w, std::vector<usage::event> events)
{
    std::promise<void> done;
    w.submit(
        std::move(events),
        {},
        [&](write_result r)
        {
            REQUIRE_FALSE(r.error);
            done.set_value();
        }
    );
    done.get_future().wait();
}

std::int64_t hour_of(int h)
{
    return test::sample_event(0, h).timestamp_ms * 1'000'000 / ns_per_hour;
}

// A sample event moved `days` days later (sample events fall on 2026-08-22; up to 9 days).
usage::event days_later(usage::event e, int days)
{
    e.timestamp.replace(0, 10, fmt::format("2026-08-{:02}", 22 + days));
    e.timestamp_ms += days * std::int64_t{86'400'000};
    return e;
}

} // namespace

TEST_CASE("a projected hour holds exactly the sums of its events", "[store][projections]")
{
    test::temp_dir dir;
    event_writer w(dir.path() / "usage.sqlite", {.projection_delay = std::chrono::hours(24)});
    write(w, events_in_hours(0, 300, {3, 4, 5}));
    // Some events of one instant and credential: one approximate task.
    auto twin = test::sample_event(1000, 5), twin2 = test::sample_event(1001, 5);
    twin2.timestamp = twin.timestamp, twin2.timestamp_ms = twin.timestamp_ms;
    twin2.source_hash = twin.source_hash, twin2.auth_index = twin.auth_index;
    write(w, {twin, twin2});
    w.drain();
    project_everything(w);
    connection db(dir.path() / "usage.sqlite", connection::mode::read_only);
    CHECK(hours_in(db, "proj_hours") == std::vector{hour_of(3), hour_of(4), hour_of(5)});
    CHECK(queued_projection_hours(db) == 0);
    auto projected = projected_rows(db);
    CHECK(projected.size() > 9);
    CHECK(projected == raw_rows(db));
    // Tasks: every event its own but the twins.
    auto hours = projected_hours(db, hour_of(3), hour_of(5) + 1);
    REQUIRE(hours.size() == 3);
    CHECK(hours[0].tasks == 300);
    CHECK(hours[2].tasks == 301);
    std::int64_t failed = 0;
    for (int i = 0; i < 300; ++i)
        failed += i % 11 == 0 ? 1 : 0;
    CHECK(hours[0].failed_tasks == failed);
    // The reader gives the rows of the projected hours, histograms included.
    std::int64_t calls = 0, latency_samples = 0;
    for_each_model_hour_row(
        db,
        hour_of(3),
        hour_of(4),
        "",
        [&](const model_hour_row& r)
        {
            calls += r.calls;
            latency_histogram h;
            REQUIRE(h.decode(r.latency_hist));
            latency_samples += static_cast<std::int64_t>(h.total());
            CHECK(static_cast<std::int64_t>(h.total()) == r.latency_samples);
        }
    );
    CHECK(calls == 300);
    CHECK(latency_samples > 0);

    // The day: one row per identity, equal to the GROUP BY (whose bare `id` is that of the row
    // with max(ts_ns): SQLite takes bare columns from the row of the only max()).
    CHECK(projected_days(db, 0, 1'000'000).size() == 1);
    auto identity = identity_rows(db);
    CHECK(identity.size() > 10);
    CHECK(identity == raw_identity_rows(db));
    CHECK(first_seen(db, day_rows, false) == first_seen(db, day_rows, true));
    std::int64_t day_calls = 0;
    for_each_identity_row(
        db,
        identity_grain::day,
        0,
        1'000'000,
        " AND (failed = 1)",
        [&](const identity_row& r) { day_calls += r.calls; }
    );
    std::int64_t failed_events = 0;
    for (int i = 0; i < 300; ++i)
        failed_events += i % 11 == 0 ? 3 : 0;
    CHECK(day_calls == failed_events + (1000 % 11 == 0) + (1001 % 11 == 0));
}

TEST_CASE(
    "the hours of the current and previous day get identity rows, dropped as days pass",
    "[store][projections]"
)
{
    test::temp_dir dir;
    event_writer w(dir.path() / "usage.sqlite", {.projection_delay = std::chrono::hours(24)});
    write(w, events_in_hours(0, 200, {3, 4, 5}));
    const auto day = hour_of(3) / 24;
    const auto project_before = [&](std::int64_t now_hour)
    {
        run_task(
            w,
            [&](connection& c)
            {
                transaction tx(c);
                while (project_step(c, now_hour, read_context_band_state(c).thresholds, 1000))
                {
                }
                tx.commit();
            }
        );
    };
    connection db(dir.path() / "usage.sqlite", connection::mode::read_only);
    const auto marked = [&]
    {
        std::vector<std::int64_t> out;
        for (const auto& h : projected_hours(db, 0, far_future_hour))
            if (h.identity_rows)
                out.push_back(h.hour);
        return out;
    };
    // Two hours into the next day: the hours of the day before are kept.
    project_before((day + 1) * 24 + 2);
    CHECK(marked() == std::vector{hour_of(3), hour_of(4), hour_of(5)});
    auto rows = identity_rows(db, hour_rows);
    CHECK(rows.size() > 20);
    CHECK(rows == raw_identity_rows(db, hour_rows));
    CHECK(first_seen(db, hour_rows, false) == first_seen(db, hour_rows, true));
    std::int64_t calls = 0;
    for_each_identity_row(
        db, identity_grain::hour, hour_of(4), hour_of(5), "", [&](const identity_row& r) { calls += r.calls; }
    );
    CHECK(calls == 200);

    // A late event: its hour is projected again, identity rows included.
    write(w, {test::sample_event(5000, 4)});
    CHECK(marked() == std::vector{hour_of(3), hour_of(5)});
    project_before((day + 1) * 24 + 2);
    CHECK(marked().size() == 3);
    CHECK(identity_rows(db, hour_rows) == raw_identity_rows(db, hour_rows));

    // Once the hours are older than the previous day, their identity rows go; the hours stay.
    project_before((day + 2) * 24);
    CHECK(marked().empty());
    CHECK(db.query_int("SELECT count(*) FROM proj_identity_hour") == 0);
    CHECK(hours_in(db, "proj_hours").size() == 3);
    CHECK(projected_rows(db) == raw_rows(db));
}

TEST_CASE("blocks of days sum their days' identity rows and go when a day changes", "[store][projections]")
{
    test::temp_dir dir;
    event_writer w(dir.path() / "usage.sqlite", {.projection_delay = std::chrono::hours(24)});
    const auto sample_day = hour_of(3) / 24;
    const auto first = (sample_day + 3) / 4 * 4; // the first day of a level-2 block
    const auto offset = static_cast<int>(first - sample_day);
    std::vector<usage::event> events;
    for (int k = 0; k < 5; ++k) // the block's four days and one after
        for (int i = 0; i < 150; ++i)
            events.push_back(days_later(test::sample_event(i + 37 * k, 3 + k), offset + k));
    write(w, events);
    project_everything(w);
    connection db(dir.path() / "usage.sqlite", connection::mode::read_only);
    const std::vector<identity_block> made{{1, first / 2}, {1, first / 2 + 1}, {2, first / 4}};
    CHECK(made_identity_blocks(db, first, first + 5) == made);
    CHECK(made_identity_blocks(db, first + 1, first + 5) == std::vector<identity_block>{{1, first / 2 + 1}});
    for (int level : {1, 2})
    {
        CAPTURE(level);
        auto rows = identity_rows(db, block_rows(level));
        CHECK(rows.size() > 20);
        CHECK(rows == raw_identity_rows(db, block_rows(level)));
        CHECK(first_seen(db, block_rows(level), false) == first_seen(db, block_rows(level), true));
    }
    std::int64_t calls = 0;
    for_each_identity_block_row(db, {2, first / 4}, "", [&](const identity_row& r) { calls += r.calls; });
    CHECK(calls == 600);

    // A late event on the block's third day: the blocks that hold it go until it is projected again.
    write(w, {days_later(test::sample_event(9000, 4), offset + 2)});
    CHECK(made_identity_blocks(db, first, first + 5) == std::vector<identity_block>{{1, first / 2}});
    project_everything(w);
    CHECK(made_identity_blocks(db, first, first + 5) == made);
    for (int level : {1, 2})
        CHECK(identity_rows(db, block_rows(level)) == raw_identity_rows(db, block_rows(level)));
}
TEST_CASE(
    "a write, retention or a threshold change takes hours out until projected again", "[store][projections]"
)
{
    test::temp_dir dir;
    const auto path = dir.path() / "usage.sqlite";
    event_writer w(path, {.projection_delay = std::chrono::hours(24)});
    write(w, events_in_hours(0, 100, {3, 4, 5}));
    project_everything(w);
    connection db(path, connection::mode::read_only);
    REQUIRE(hours_in(db, "proj_hours").size() == 3);

    SECTION("a late event of an ended hour")
    {
        write(w, {test::sample_event(5000, 4)});
        CHECK(hours_in(db, "proj_hours") == std::vector{hour_of(3), hour_of(5)});
        CHECK(hours_in(db, "proj_todo") == std::vector{hour_of(4)});
        CHECK(projected_days(db, 0, 1'000'000).empty());
        project_everything(w);
        CHECK(hours_in(db, "proj_hours").size() == 3);
        CHECK(projected_rows(db) == raw_rows(db));
        CHECK(projected_days(db, 0, 1'000'000).size() == 1);
        CHECK(identity_rows(db) == raw_identity_rows(db));
    }
    SECTION("retention deletes the oldest events")
    {
        run_task(
            w,
            [&](connection& c)
            {
                transaction tx(c);
                delete_events_before(c, hour_of(4) * ns_per_hour + 1, 1000);
                tx.commit();
            }
        );
        CHECK(hours_in(db, "proj_hours") == std::vector{hour_of(5)});
        CHECK(projected_days(db, 0, 1'000'000).empty());
        project_everything(w);
        CHECK(hours_in(db, "proj_hours").size() == 3);
        CHECK(projected_rows(db) == raw_rows(db));
        CHECK(identity_rows(db) == raw_identity_rows(db));
        auto hours = projected_hours(db, hour_of(3), hour_of(4));
        REQUIRE(hours.size() == 1);
        CHECK(hours[0].tasks == 0); // hour 3 has no event left
    }
    SECTION("a new context threshold")
    {
        run_task(
            w,
            [](connection& c)
            {
                transaction tx(c);
                c.exec("INSERT INTO model_prices (model, prompt_per_1m) VALUES ('gpt-5-codex', 1)");
                c.exec("INSERT INTO model_price_context_tiers (model, threshold_tokens, prompt_per_1m) "
                       "VALUES ('gpt-5-codex', 1050, 2)");
                REQUIRE(refresh_context_bands(c));
                tx.commit();
            }
        );
        CHECK(hours_in(db, "proj_hours").empty());
        CHECK(projected_days(db, 0, 1'000'000).empty());
        CHECK(hours_in(db, "proj_todo").size() == 3);
        project_everything(w);
        // The band floors are those of the new list: 1050 splits the inputs (1000..1099).
        auto s = db.prepare("SELECT count(DISTINCT context_floor) FROM proj_model_hour");
        REQUIRE(s.step());
        CHECK(s.int64(0) == 2);
    }
}

TEST_CASE("the writer projects ended hours by itself", "[store][projections]")
{
    test::temp_dir dir;
    const auto path = dir.path() / "usage.sqlite";
    event_writer w(path, {.projection_delay = std::chrono::milliseconds(0)});
    write(w, events_in_hours(0, 50, {3, 4}));
    connection db(path, connection::mode::read_only);
    for (int i = 0; i < 500 && hours_in(db, "proj_hours").size() < 2; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    CHECK(hours_in(db, "proj_hours") == std::vector{hour_of(3), hour_of(4)});
    CHECK(projected_rows(db) == raw_rows(db));
}

TEST_CASE(
    "a price change prices projected hours again without waiting for the hour to end", "[store][projections]"
)
{
    test::temp_dir dir;
    const auto path = dir.path() / "usage.sqlite";
    event_writer w(path, {.projection_delay = std::chrono::milliseconds(0)});
    auto events = events_in_hours(0, 50, {3, 4});
    // An event of the current hour keeps it queued: the writer then waits for the hour's end.
    auto current = test::sample_event(999);
    current.timestamp.clear();
    current.timestamp_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::system_clock::now().time_since_epoch()
    )
                               .count();
    events.push_back(current);
    write(w, events);
    connection db(path, connection::mode::read_only);
    const auto priced_with = [&](std::int64_t epoch)
    {
        auto s = db.prepare("SELECT count(*) FROM proj_hours WHERE hour IN (?1, ?2) AND price_epoch = ?3");
        s.bind(1, hour_of(3)).bind(2, hour_of(4)).bind(3, epoch);
        return s.step() ? s.int64(0) : 0;
    };
    const auto usd = [&]
    {
        auto s = db.prepare("SELECT coalesce(sum(usd), 0) FROM proj_usage_hour WHERE kind = 1");
        return s.step() ? s.real(0) : -1.0;
    };
    for (int i = 0; i < 500 && priced_with(0) < 2; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    REQUIRE(priced_with(0) == 2);
    CHECK(usd() == 0); // no prices yet

    pricing::price_record codex;
    codex.price.rates.prompt = {1.25, true};
    codex.price.rates.completion = {10, true};
    run_task(
        w,
        [&](connection& c)
        {
            transaction tx(c);
            upsert_price_records(c, {{"gpt-5-codex", codex}});
            tx.commit();
        }
    );
    CHECK(current_price_epoch(db) == 1);
    for (int i = 0; i < 500 && priced_with(1) < 2; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    CHECK(priced_with(1) == 2);
    CHECK(usd() > 0);
}
