#include <catch2/catch.hpp>
#include <cpamd/store/database.hpp>
#include <cpamd/store/migrations.hpp>
#include <cpamd/test/temp_dir.hpp>

using namespace cpamd::store;

namespace
{

// The schema as SQLite records it, for comparing two databases.
std::string schema_of(connection& db)
{
    std::string out;
    auto s = db.prepare("SELECT type, name, COALESCE(sql, '') FROM sqlite_master ORDER BY type, name");
    while (s.step())
        out += std::string(s.text(0)) + " " + std::string(s.text(1)) + " " + std::string(s.text(2)) + "\n";
    return out;
}

} // namespace

TEST_CASE("an empty file migrates to the latest version", "[store][migrations]")
{
    cpamd::test::temp_dir dir;
    auto db = open_writer(dir / "usage.sqlite");
    CHECK(db.query_int("PRAGMA user_version") == latest_schema_version());
    CHECK(db.query_int("SELECT count(*) FROM sqlite_master WHERE name = 'events'") == 1);
    auto mode = db.prepare("PRAGMA journal_mode");
    REQUIRE(mode.step());
    CHECK(mode.text(0) == "wal");
}

TEST_CASE("migrating again changes nothing", "[store][migrations]")
{
    cpamd::test::temp_dir dir;
    std::string first;
    {
        auto db = open_writer(dir / "usage.sqlite");
        first = schema_of(db);
    }
    auto db = open_writer(dir / "usage.sqlite");
    CHECK(schema_of(db) == first);
}

TEST_CASE("every earlier version upgrades to the same schema as a fresh file", "[store][migrations]")
{
    cpamd::test::temp_dir dir;
    std::string fresh;
    {
        connection db(dir / "fresh.sqlite", connection::mode::read_write_create);
        migrate(db);
        fresh = schema_of(db);
    }
    for (int v = 0; v < latest_schema_version(); ++v)
    {
        CAPTURE(v);
        auto path = dir / ("from-" + std::to_string(v) + ".sqlite");
        connection db(path, connection::mode::read_write_create);
        migrate_to(db, v);
        CHECK(db.query_int("PRAGMA user_version") == v);
        migrate(db);
        CHECK(db.query_int("PRAGMA user_version") == latest_schema_version());
        CHECK(schema_of(db) == fresh);
    }
}

TEST_CASE(
    "v2 keeps one reject per payload from a v1 database and makes rejects idempotent", "[store][migrations]"
)
{
    cpamd::test::temp_dir dir;
    {
        connection db(dir / "usage.sqlite", connection::mode::read_write_create);
        migrate_to(db, 1);
        // v1 stored a replayed reject twice.
        db.exec(R"sql(
            INSERT INTO rejects (received_at_ms, origin, reason, payload) VALUES (1, 'collector:http', 'r', x'7b0102');
            INSERT INTO rejects (received_at_ms, origin, reason, payload) VALUES (2, 'collector:http', 'r', x'7b0102');
            INSERT INTO rejects (received_at_ms, origin, reason, payload) VALUES (3, 'collector:resp', 'r', 'other');
        )sql");
    }
    auto db = open_writer(dir / "usage.sqlite");
    CHECK(db.query_int("PRAGMA user_version") == latest_schema_version());
    CHECK(db.query_int("SELECT count(*) FROM rejects") == 2);
    CHECK(db.query_int("SELECT min(received_at_ms) FROM rejects WHERE payload = x'7b0102'") == 1);
    CHECK(db.query_int("SELECT count(*) FROM rejects WHERE length(payload_hash) = 32") == 2);
    // The writer's insert is now a no-op for a payload already there.
    db.exec("INSERT OR IGNORE INTO rejects (received_at_ms, origin, reason, payload, payload_hash) "
            "SELECT 9, origin, reason, payload, payload_hash FROM rejects WHERE id = 1");
    CHECK(db.query_int("SELECT count(*) FROM rejects") == 2);
}

TEST_CASE("a database from a newer cpamd is refused", "[store][migrations]")
{
    cpamd::test::temp_dir dir;
    {
        connection db(dir / "usage.sqlite", connection::mode::read_write_create);
        db.exec("PRAGMA user_version = 999");
    }
    CHECK_THROWS_WITH(open_writer(dir / "usage.sqlite"), Catch::Contains("upgrade cpamd"));
}

TEST_CASE("a file that is not a database is a clear error", "[store][migrations]")
{
    cpamd::test::temp_dir dir;
    {
        std::FILE* f = std::fopen((dir / "usage.sqlite").c_str(), "wb");
        std::fputs(
            "this is not a sqlite database, just some text that is long enough to look like a header\n", f
        );
        std::fclose(f);
    }
    CHECK_THROWS_AS(open_writer(dir / "usage.sqlite"), sqlite_error);
}

TEST_CASE("a CPA Manager Plus database opens with its settings, prices and aliases", "[store][migrations]")
{
    cpamd::test::temp_dir dir;
    {
        // The upstream's core tables (spec manager-api §7), as its Go server leaves them.
        connection db(dir / "usage.sqlite", connection::mode::read_write_create);
        db.exec(R"sql(
            CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL, updated_at_ms INTEGER NOT NULL);
            CREATE TABLE usage_events (id INTEGER PRIMARY KEY AUTOINCREMENT, event_hash TEXT NOT NULL UNIQUE,
                timestamp_ms INTEGER NOT NULL, timestamp TEXT NOT NULL, model TEXT NOT NULL, created_at_ms INTEGER NOT NULL);
            CREATE TABLE model_prices (model TEXT PRIMARY KEY, prompt_per_1m REAL NOT NULL, completion_per_1m REAL NOT NULL,
                cache_per_1m REAL NOT NULL, cache_read_per_1m REAL, cache_creation_per_1m REAL,
                prompt_configured INTEGER, completion_configured INTEGER, cache_read_configured INTEGER,
                cache_creation_configured INTEGER, source TEXT, source_model_id TEXT, raw_json TEXT,
                updated_at_ms INTEGER, synced_at_ms INTEGER);
            CREATE TABLE api_key_aliases (api_key_hash TEXT PRIMARY KEY, alias TEXT NOT NULL, updated_at_ms INTEGER NOT NULL);
            INSERT INTO settings VALUES ('admin_credential_v1', '{"version":1}', 1);
            INSERT INTO model_prices (model, prompt_per_1m, completion_per_1m, cache_per_1m) VALUES ('gpt-5', 1.25, 10, 0.125);
            INSERT INTO api_key_aliases VALUES ('ab', 'team-a', 2);
        )sql");
    }
    auto db = open_writer(dir / "usage.sqlite");
    CHECK(db.query_int("PRAGMA user_version") == latest_schema_version());
    CHECK(db.query_int("SELECT count(*) FROM settings WHERE key = 'admin_credential_v1'") == 1);
    CHECK(db.query_int("SELECT count(*) FROM model_prices") == 1);
    CHECK(db.query_int("SELECT count(*) FROM api_key_aliases") == 1);
    CHECK(db.query_int("SELECT count(*) FROM events") == 0);
    CHECK(db.query_int("SELECT count(*) FROM usage_events") == 0); // left as it was
}
