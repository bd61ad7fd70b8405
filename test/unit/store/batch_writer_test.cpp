#include "sample_events.hpp"

#include <catch2/catch.hpp>
#include <cpamd/store/batch_writer.hpp>
#include <cpamd/store/database.hpp>
#include <cpamd/store/event_count.hpp>
#include <cpamd/store/latency_histogram.hpp>
#include <cpamd/store/maintenance.hpp>
#include <cpamd/store/settings.hpp>
#include <cpamd/test/temp_dir.hpp>

using namespace cpamd::store;
using cpamd::test::sample_event;

namespace
{

struct fixture
{
    cpamd::test::temp_dir dir;
    connection db = open_writer(dir / "usage.sqlite");
    batch_writer writer{db};

    std::int64_t count(const char* sql) { return db.query_int(sql).value_or(-1); }
};

std::vector<cpamd::usage::event> sample_batch(int from, int n, int hour = 6)
{
    std::vector<cpamd::usage::event> v;
    for (int i = from; i < from + n; ++i)
        v.push_back(sample_event(i, hour));
    return v;
}

} // namespace

TEST_CASE_METHOD(fixture, "events are inserted once; the same events again are duplicates", "[store][writer]")
{
    auto batch = sample_batch(0, 500);
    std::vector<bool> flags;
    auto c = writer.write(batch, {}, &flags);
    CHECK(c.inserted == 500);
    CHECK(c.duplicates == 0);
    CHECK(std::count(flags.begin(), flags.end(), true) == 500);
    CHECK(count("SELECT count(*) FROM events") == 500);

    c = writer.write(batch, {}, &flags);
    CHECK(c.inserted == 0);
    CHECK(c.duplicates == 500);
    CHECK(std::count(flags.begin(), flags.end(), true) == 0);
    CHECK(count("SELECT count(*) FROM events") == 500);

    // A batch mixing new and known events, with a duplicate inside the batch itself.
    auto mixed = sample_batch(400, 200);
    mixed.push_back(sample_event(550));
    c = writer.write(mixed, {}, &flags);
    CHECK(c.inserted == 100);
    CHECK(c.duplicates == 101);
    CHECK(count("SELECT count(*) FROM events") == 600);
}

TEST_CASE_METHOD(fixture, "rollups hold exactly the sums of the inserted events", "[store][writer]")
{
    writer.write(sample_batch(0, 700, 6), {});
    writer.write(sample_batch(0, 300, 7), {});
    writer.write(sample_batch(600, 200, 6), {}); // 600..699 known, 700..799 new
    CHECK(count("SELECT count(*) FROM events") == 1100);
    CHECK(count("SELECT sum(calls) FROM rollup_hour") == 1100);
    for (const char* col :
         {"input_tokens",
          "output_tokens",
          "reasoning_tokens",
          "cached_tokens",
          "cache_read_tokens",
          "total_tokens",
          "cost_uncached",
          "cost_cache_read",
          "cost_output"})
    {
        CAPTURE(col);
        auto raw = db.query_int(std::string("SELECT sum(") + col + ") FROM events");
        auto rolled = db.query_int(std::string("SELECT sum(") + col + ") FROM rollup_hour");
        CHECK(raw == rolled);
    }
    CHECK(
        count("SELECT sum(failed) FROM events") ==
        count("SELECT sum(calls) FROM rollup_hour WHERE failed = 1")
    );
    CHECK(count("SELECT sum(latency_ms) FROM events") == count("SELECT sum(latency_sum) FROM rollup_hour"));
    // Per hour as well.
    CHECK(count("SELECT sum(calls) FROM rollup_hour WHERE hour % 24 = 7") == 300);

    // The merged histograms count every latency once.
    std::uint64_t hist_total = 0;
    auto s = db.prepare("SELECT latency_hist FROM rollup_hour");
    while (s.step())
    {
        latency_histogram h;
        REQUIRE(h.decode(s.blob(0)));
        hist_total += h.total();
    }
    CHECK(hist_total == 1100);
}

TEST_CASE_METHOD(fixture, "repeated strings are interned once", "[store][writer]")
{
    writer.write(sample_batch(0, 300), {});
    CHECK(count("SELECT count(*) FROM dim WHERE kind = 1") == 3); // three models
    CHECK(count("SELECT count(*) FROM dim WHERE kind = 2") == 3); // three providers
    CHECK(count("SELECT count(DISTINCT model) FROM events") == 3);
    CHECK(count("SELECT count(*) FROM events WHERE model = 0") == 0);
}

TEST_CASE_METHOD(fixture, "no plaintext client key or email reaches the database", "[store][writer]")
{
    writer.write(sample_batch(0, 50), {});
    auto s = db.prepare("SELECT value FROM dim");
    while (s.step())
    {
        auto v = std::string(s.text(0));
        CHECK(v.find("sk-client-") == std::string::npos);
        CHECK(v.find("user1@example.com") == std::string::npos);
    }
}

TEST_CASE_METHOD(fixture, "a failing batch writes nothing and the next one works", "[store][writer]")
{
    writer.write(sample_batch(0, 10), {});
    // Make the 5th event of the next batch (request id "0000000e", stored as 14) fail inside the
    // transaction.
    db.exec("CREATE TEMP TRIGGER boom BEFORE INSERT ON events WHEN NEW.request_id = 14 "
            "BEGIN SELECT RAISE(ABORT, 'injected failure'); END");
    auto batch = sample_batch(10, 10);
    std::vector<rejected_record> rejects{{"test", "bad", "{garbage"}};
    CHECK_THROWS_WITH(writer.write(batch, rejects), Catch::Contains("injected failure"));
    CHECK(count("SELECT count(*) FROM events") == 10);
    CHECK(count("SELECT count(*) FROM rejects") == 0);
    CHECK(count("SELECT sum(calls) FROM rollup_hour") == 10);
    db.exec("DROP TRIGGER boom");
    auto c = writer.write(batch, rejects);
    CHECK(c.inserted == 10);
    CHECK(c.rejected == 1);
    CHECK(count("SELECT count(*) FROM events") == 20);
    CHECK(count("SELECT sum(calls) FROM rollup_hour") == 20);
    // Every event row points at dimension rows that exist (the interning cache was rolled back too).
    CHECK(
        count("SELECT count(*) FROM events e WHERE e.model != 0 AND NOT EXISTS "
              "(SELECT 1 FROM dim d WHERE d.id = e.model)") == 0
    );
}

TEST_CASE_METHOD(fixture, "a failing batch forgets the dimension ids it handed out", "[store][writer]")
{
    writer.write(sample_batch(0, 3), {});
    // The failing event interns a new model (the last value the writer saw) before it fails.
    auto ev = sample_event(3);
    ev.model = ev.requested_model = ev.resolved_model = "model-of-a-failed-batch";
    db.exec("CREATE TEMP TRIGGER boom BEFORE INSERT ON events WHEN NEW.request_id = 3 "
            "BEGIN SELECT RAISE(ABORT, 'injected failure'); END");
    CHECK_THROWS(writer.write(std::vector<cpamd::usage::event>{ev}, {}));
    db.exec("DROP TRIGGER boom");
    CHECK(count("SELECT count(*) FROM dim WHERE value = 'model-of-a-failed-batch'") == 0);
    writer.write(std::vector<cpamd::usage::event>{ev}, {});
    CHECK(
        count("SELECT count(*) FROM events e JOIN dim d ON d.id = e.model "
              "WHERE d.value = 'model-of-a-failed-batch'") == 1
    );
}

TEST_CASE_METHOD(fixture, "rejected records keep their raw bytes", "[store][writer]")
{
    std::string raw("\x01\x02not json\xff", 12);
    writer.write({}, std::vector<rejected_record>{{"collector:http", "invalid JSON", raw}});
    auto s = db.prepare("SELECT origin, reason, payload FROM rejects");
    REQUIRE(s.step());
    CHECK(s.text(0) == "collector:http");
    CHECK(s.text(1) == "invalid JSON");
    CHECK(s.blob(2) == raw);
}

TEST_CASE_METHOD(fixture, "a rejected record replayed after a crash is stored once", "[store][writer]")
{
    std::vector<rejected_record> batch{{"collector:resp", "json: syntax error", "{garbage"}};
    CHECK(writer.write({}, batch).rejected == 1);
    // The spool replays the same batch; the same bytes may also come back through another transport.
    CHECK(writer.write({}, batch).rejected == 1);
    writer.write({}, std::vector<rejected_record>{{"collector:http", "json: syntax error", "{garbage"}});
    CHECK(count("SELECT count(*) FROM rejects") == 1);
    CHECK(count("SELECT count(*) FROM rejects WHERE origin = 'collector:resp'") == 1);
    writer.write({}, std::vector<rejected_record>{{"collector:resp", "json: syntax error", "{garbage2"}});
    CHECK(count("SELECT count(*) FROM rejects") == 2);
}

TEST_CASE("event hashes are stored as 32 bytes and read back unchanged", "[store][writer]")
{
    std::string hex = "00ff10a0b1c2d3e4f5061728394a5b6c7d8e9fa0b1c2d3e4f5061728394a5b6c";
    auto blob = hash_to_blob(hex);
    CHECK(blob.size() == 32);
    CHECK(blob_to_hash(blob) == hex);
    // Anything else (upper case, odd length, non-hex) is kept verbatim.
    for (std::string odd :
         {std::string("ABCDEF"), std::string("not-a-hash"), std::string(64, 'A'), std::string(64, 'g')})
        CHECK(blob_to_hash(hash_to_blob(odd)) == odd);
}

TEST_CASE("timestamps keep nanoseconds", "[store][writer]")
{
    auto ev = sample_event(3);
    ev.timestamp = "2026-08-22T06:00:03.123456789Z";
    CHECK(event_time_ns(ev) % 1000000000 == 123456789);
}

TEST_CASE_METHOD(fixture, "settings are upserted", "[store][settings]")
{
    CHECK_FALSE(read_setting(db, "setup"));
    write_setting(db, "setup", R"({"a":1})", 5);
    CHECK(read_setting(db, "setup") == R"({"a":1})");
    write_setting(db, "setup", R"({"a":2})", 6);
    CHECK(read_setting(db, "setup") == R"({"a":2})");
    CHECK(count("SELECT updated_at_ms FROM settings WHERE key = 'setup'") == 6);
    delete_setting(db, "setup");
    CHECK_FALSE(read_setting(db, "setup"));
}

TEST_CASE_METHOD(
    fixture, "retention deletes old raw events in batches and keeps the rollups", "[store][retention]"
)
{
    writer.write(sample_batch(0, 300, 3), {});
    writer.write(sample_batch(0, 200, 9), {});
    writer.write(sample_batch(0, 100, 9), {}); // duplicates: not counted again
    CHECK(read_event_count(db) == 500);
    auto rolled_before = count("SELECT sum(calls) FROM rollup_hour");
    // Cut at 2026-08-22T06:00:00Z: everything of hour 3 goes, hour 9 stays.
    std::int64_t cutoff = (1787378400LL) * 1000000000LL;
    std::int64_t deleted = 0, step = 0;
    while ((step = delete_events_before(db, cutoff, 128)) > 0)
    {
        CHECK(step <= 128);
        deleted += step;
    }
    CHECK(deleted == 300);
    CHECK(count("SELECT count(*) FROM events") == 200);
    CHECK(read_event_count(db) == 200);
    CHECK(count("SELECT sum(calls) FROM rollup_hour") == rolled_before);
}

TEST_CASE_METHOD(
    fixture, "retention keeps the event with the largest id until a newer one exists", "[store][retention]"
)
{
    // An import of old events after newer ones: the old ones hold the largest ids.
    writer.write(sample_batch(0, 20, 9), {});
    writer.write(sample_batch(0, 30, 3), {});
    const auto largest = count("SELECT max(id) FROM events");
    const std::int64_t cutoff = (1787378400LL) * 1000000000LL; // hour 3 is older, hour 9 is not
    std::int64_t deleted = 0, step = 0;
    while ((step = delete_events_before(db, cutoff, 128)) > 0)
        deleted += step;
    CHECK(deleted == 29);
    CHECK(count("SELECT max(id) FROM events") == largest); // no id will be handed out twice
    CHECK(read_event_count(db) == 21);

    writer.write(sample_batch(100, 1, 9), {});
    CHECK(count("SELECT max(id) FROM events") == largest + 1);
    CHECK(delete_events_before(db, cutoff, 128) == 1);
    CHECK(count("SELECT count(*) FROM events") == 21);
}

TEST_CASE("compact forms: request ids as integers, hashes only when not recomputable", "[store][writer]")
{
    CHECK(compact_request_id("a1b2c3d4") == 0xa1b2c3d4);
    CHECK(compact_request_id("00000001") == 1);
    CHECK_FALSE(compact_request_id("A1B2C3D4")); // upper case would not read back the same
    CHECK_FALSE(compact_request_id("a1b2c3d"));
    CHECK_FALSE(compact_request_id("legacy:0123456789abcdef"));
    CHECK(
        hash64_of("00ff10a0b1c2d3e4f5061728394a5b6c7d8e9fa0b1c2d3e4f5061728394a5b6c") ==
        static_cast<std::int64_t>(0x00ff10a0b1c2d3e4ull)
    );
    CHECK(hash64_of("not-hex") == hash64_of("not-hex"));
    CHECK(hash64_of("not-hex") != hash64_of("not-hex2"));
}

TEST_CASE_METHOD(
    fixture, "a foreign hash is kept verbatim; a recomputable one is not stored", "[store][writer]"
)
{
    auto own = sample_event(1);
    auto foreign = sample_event(2);
    foreign.event_hash = "imported-hash-from-another-tool";
    writer.write(std::vector<cpamd::usage::event>{own, foreign}, {});
    CHECK(count("SELECT count(*) FROM events WHERE hash IS NULL") == 1);
    auto s = db.prepare("SELECT hash FROM events WHERE hash IS NOT NULL");
    REQUIRE(s.step());
    CHECK(blob_to_hash(s.blob(0)) == "imported-hash-from-another-tool");
    // An event changed after parsing: its parser's note no longer matches, so the hash is stored.
    auto changed = sample_event(3);
    changed.model = "renamed-after-parsing";
    writer.write(std::vector<cpamd::usage::event>{changed}, {});
    CHECK(count("SELECT count(*) FROM events WHERE hash IS NOT NULL") == 2);
    // Both still deduplicate.
    auto c = writer.write(std::vector<cpamd::usage::event>{own, foreign}, {});
    CHECK(c.duplicates == 2);
}

TEST_CASE_METHOD(fixture, "hash flags worked out before the write decide what is stored", "[store][writer]")
{
    auto evs = sample_batch(0, 2);
    // As event_writer passes them: one flag per event, computed on the submitting thread.
    const std::vector<std::uint8_t> flags{1, 0};
    const event_part part{evs, flags};
    writer.write_parts(std::span(&part, 1), {});
    CHECK(count("SELECT count(*) FROM events WHERE hash IS NULL") == 1);
    CHECK(count("SELECT count(*) FROM events WHERE hash IS NOT NULL") == 1);
    // A flag count that does not match the events is refused before anything is written.
    auto more = sample_batch(2, 3);
    const event_part bad{more, flags};
    CHECK_THROWS_AS(writer.write_parts(std::span(&bad, 1), {}), std::invalid_argument);
    CHECK(count("SELECT count(*) FROM events") == 2);
}

namespace
{

// Every rollup_hour row, columns quoted, in key order: two databases compare equal byte for byte.
std::vector<std::string> rollup_rows(connection& db)
{
    std::vector<std::string> rows;
    auto s = db.prepare(
        "SELECT quote(hour) || ',' || quote(model) || ',' || quote(provider) || ',' || quote(auth_index) || "
        "',' "
        "|| quote(endpoint) || ',' || quote(failed) || ',' || quote(calls) || ',' "
        "|| "
        "quote(input_tokens) || ',' || quote(output_tokens) || ',' || quote(reasoning_tokens) || ',' || "
        "quote(cached_tokens) || ',' || quote(cache_tokens) || ',' || quote(cache_read_tokens) || ',' || "
        "quote(cache_creation_tokens) || ',' || quote(total_tokens) || ',' || quote(cost_uncached) || ',' || "
        "quote(cost_cache_read) || ',' || quote(cost_cache_write) || ',' || quote(cost_output) || ',' || "
        "quote(cost_reasoning) || ',' || quote(latency_count) || ',' || quote(latency_sum) || ',' || "
        "quote(ttft_count) || ',' || quote(ttft_sum) || ',' || quote(latency_hist) FROM rollup_hour "
        "ORDER BY hour, model, provider, auth_index, endpoint, failed, billing_model, service_tier, "
        "context_floor"
    );
    while (s.step())
        rows.emplace_back(s.text(0));
    return rows;
}

} // namespace

TEST_CASE_METHOD(
    fixture, "deferred rollups fold into the same rows as rollups folded every batch", "[store][writer]"
)
{
    cpamd::test::temp_dir other_dir;
    connection other = open_writer(other_dir / "usage.sqlite");
    batch_writer folding_every_batch(other);
    std::int64_t pending_rows = 0;
    for (int k = 0; k < 9; ++k)
    {
        auto batch = sample_batch(k * 100, 150, 6 + k % 3); // overlapping: some are duplicates
        auto deferred = writer.write(batch, {}, nullptr, rollup_mode::defer);
        auto folded = folding_every_batch.write(batch, {});
        CHECK(deferred.inserted == folded.inserted);
        pending_rows += deferred.inserted > 0;
        // At every commit the rollups, pending deltas included, account for every event.
        CHECK(
            count("SELECT count(*) FROM events") ==
            count("SELECT coalesce(sum(calls), 0) FROM rollup_hour") +
                count("SELECT coalesce(sum(events), 0) FROM rollup_pending")
        );
        CHECK(writer.pending_rollup_events() == std::uint64_t(count("SELECT count(*) FROM events")));
    }
    CHECK(count("SELECT count(*) FROM rollup_hour") == 0);
    CHECK(count("SELECT count(*) FROM rollup_pending") == pending_rows);

    writer.fold_pending_rollups();
    CHECK(writer.pending_rollup_events() == 0);
    CHECK(count("SELECT count(*) FROM rollup_pending") == 0);
    auto expected = rollup_rows(other);
    REQUIRE_FALSE(expected.empty());
    CHECK(rollup_rows(db) == expected);

    // A folding batch after deferred ones takes them along.
    writer.write(sample_batch(2000, 50, 9), {}, nullptr, rollup_mode::defer);
    writer.write(sample_batch(2050, 50, 9), {});
    folding_every_batch.write(sample_batch(2000, 100, 9), {});
    CHECK(count("SELECT count(*) FROM rollup_pending") == 0);
    CHECK(rollup_rows(db) == rollup_rows(other));
}

TEST_CASE_METHOD(
    fixture, "a deferred batch that would leave too many events pending folds them", "[store][writer]"
)
{
    // The cap is 65 536 events.
    for (int k = 0; k < 3; ++k)
        writer.write(sample_batch(k * 20000, 20000, 6 + k), {}, nullptr, rollup_mode::defer);
    CHECK(writer.pending_rollup_events() == 60000);
    writer.write(sample_batch(60000, 20000, 9), {}, nullptr, rollup_mode::defer);
    CHECK(writer.pending_rollup_events() == 0);
    CHECK(count("SELECT count(*) FROM rollup_pending") == 0);
    CHECK(count("SELECT sum(calls) FROM rollup_hour") == 80000);
}

TEST_CASE_METHOD(
    fixture, "pending rollups survive a restart and the next writer folds them", "[store][writer]"
)
{
    {
        batch_writer first(db);
        first.write(sample_batch(0, 400), {}, nullptr, rollup_mode::defer);
        first.write(sample_batch(400, 100, 7), {}, nullptr, rollup_mode::defer);
    } // gone without folding, as after a crash
    batch_writer next(db);
    CHECK(next.pending_rollup_events() == 500);
    next.write(sample_batch(500, 10, 8), {});
    CHECK(next.pending_rollup_events() == 0);
    CHECK(count("SELECT sum(calls) FROM rollup_hour") == 510);
    CHECK(count("SELECT sum(calls) FROM rollup_hour WHERE hour % 24 = 7") == 100);
}

TEST_CASE_METHOD(fixture, "a failing deferred batch leaves nothing pending", "[store][writer]")
{
    writer.write(sample_batch(0, 10), {}, nullptr, rollup_mode::defer);
    db.exec("CREATE TEMP TRIGGER boom BEFORE INSERT ON events WHEN NEW.request_id = 14 "
            "BEGIN SELECT RAISE(ABORT, 'injected failure'); END");
    CHECK_THROWS_WITH(
        writer.write(sample_batch(10, 10), {}, nullptr, rollup_mode::defer),
        Catch::Contains("injected failure")
    );
    CHECK(writer.pending_rollup_events() == 10);
    CHECK(count("SELECT sum(events) FROM rollup_pending") == 10);
    db.exec("DROP TRIGGER boom");
    writer.write(sample_batch(10, 10), {});
    CHECK(writer.pending_rollup_events() == 0);
    CHECK(count("SELECT sum(calls) FROM rollup_hour") == 20);
}

TEST_CASE_METHOD(fixture, "a malformed pending row fails the fold and changes nothing", "[store][writer]")
{
    writer.write(sample_batch(0, 10), {});
    db.exec("INSERT INTO rollup_pending (events, deltas) VALUES (3, x'0102')");
    batch_writer next(db);
    CHECK_THROWS_WITH(next.fold_pending_rollups(), Catch::Contains("rollup_pending row 1 is malformed"));
    CHECK(count("SELECT count(*) FROM rollup_pending") == 1);
    CHECK(count("SELECT sum(calls) FROM rollup_hour") == 10);
}
