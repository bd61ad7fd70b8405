#include "sample_events.hpp"

#include <atomic>
#include <catch2/catch.hpp>
#include <cpamd/ops/backup.hpp>
#include <cpamd/store/sqlite.hpp>
#include <cpamd/test/temp_store.hpp>
#include <fstream>
#include <sys/stat.h>
#include <thread>

using namespace std::chrono_literals;
using cpamd::store::connection;
namespace ops = cpamd::ops;
namespace fs = std::filesystem;

namespace
{

std::vector<cpamd::usage::event> events(int from, int n)
{
    std::vector<cpamd::usage::event> v;
    for (int i = from; i < from + n; ++i)
        v.push_back(cpamd::test::sample_event(i));
    return v;
}

std::int64_t count(const fs::path& db, const char* table = "events")
{
    connection c(db, connection::mode::read_only);
    return c.query_int(std::string("SELECT count(*) FROM ") + table).value_or(-1);
}

// Rows of `a` missing from `b` or differing, in either direction, for events with id <= max_id.
std::int64_t differing_rows(const fs::path& a, const fs::path& b, std::int64_t max_id)
{
    connection c(a, connection::mode::read_only);
    c.exec("ATTACH DATABASE '" + b.string() + "' AS other");
    auto sql = fmt::format(
        "SELECT (SELECT count(*) FROM (SELECT * FROM main.events WHERE id <= {0} EXCEPT SELECT * FROM "
        "other.events))"
        " + (SELECT count(*) FROM (SELECT * FROM other.events EXCEPT SELECT * FROM main.events WHERE id <= "
        "{0}))",
        max_id
    );
    return c.query_int(sql).value_or(-1);
}

} // namespace

TEST_CASE("a backup is a complete single-file copy with mode 0600", "[backup]")
{
    cpamd::test::temp_store s;
    s.write(events(0, 500));
    auto out = s.dir / "copy.sqlite";
    auto info = ops::backup_database(s.db->path(), out);
    CHECK(info.bytes == fs::file_size(out));
    CHECK_FALSE(fs::exists(out.string() + ".partial"));
    CHECK_FALSE(fs::exists(out.string() + "-wal"));
    struct stat st
    {
    };
    REQUIRE(::stat(out.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    CHECK(ops::verify_backup(out) == 500);
    CHECK(differing_rows(s.db->path(), out, 1'000'000) == 0);
    CHECK(count(out, "dim") == count(s.db->path(), "dim"));
}

TEST_CASE("a backup taken while the writer commits is one commit's snapshot", "[backup]")
{
    cpamd::test::temp_store s;
    s.write(events(0, 100));
    std::atomic<bool> stop{false};
    // Every transaction adds exactly 100 events, so a consistent copy holds a multiple of 100.
    std::thread writer(
        [&]
        {
            for (int batch = 1; !stop && batch < 200; ++batch)
                s.write(events(batch * 100, 100));
        }
    );
    std::vector<std::int64_t> seen;
    for (int i = 0; i < 5; ++i)
    {
        auto out = s.dir / fmt::format("during-{}.sqlite", i);
        ops::backup_database(s.db->path(), out);
        seen.push_back(ops::verify_backup(out));
        std::this_thread::sleep_for(20ms);
    }
    stop = true;
    writer.join();
    for (std::size_t i = 0; i < seen.size(); ++i)
    {
        CAPTURE(i, seen[i]);
        CHECK(seen[i] % 100 == 0);
        auto out = s.dir / fmt::format("during-{}.sqlite", i);
        connection c(out, connection::mode::read_only);
        auto max_id = c.query_int("SELECT max(id) FROM events").value_or(0);
        CHECK(max_id == seen[i]);
        CHECK(differing_rows(s.db->path(), out, max_id) == 0);
    }
    CHECK(seen.back() > seen.front()); // the writer really ran meanwhile
}

TEST_CASE("verify_backup refuses what is not a usable cpamd database", "[backup]")
{
    cpamd::test::temp_dir dir;
    CHECK_THROWS_WITH(ops::verify_backup(dir / "missing.sqlite"), Catch::Contains("does not exist"));
    std::ofstream(dir / "junk.sqlite") << "this is not sqlite at all, just some text that is long enough";
    CHECK_THROWS(ops::verify_backup(dir / "junk.sqlite"));
    {
        connection c(dir / "other.sqlite", connection::mode::read_write_create);
        c.exec("CREATE TABLE t (x)");
    }
    CHECK_THROWS_WITH(ops::verify_backup(dir / "other.sqlite"), Catch::Contains("not a cpamd database"));
    {
        connection c(dir / "future.sqlite", connection::mode::read_write_create);
        c.exec("CREATE TABLE events (id INTEGER PRIMARY KEY); PRAGMA user_version = 9999");
    }
    CHECK_THROWS_WITH(ops::verify_backup(dir / "future.sqlite"), Catch::Contains("newer than this cpamd"));
}

TEST_CASE("restore replaces the database and keeps the old one and its WAL aside", "[backup]")
{
    cpamd::test::temp_dir dir;
    auto backup = dir / "b.sqlite";
    {
        cpamd::test::temp_store s;
        s.write(events(0, 300));
        ops::backup_database(s.db->path(), backup);
    }
    cpamd::test::temp_store live;
    live.write(events(1000, 50));
    auto db = live.db->path();
    live.db.reset(); // the daemon is stopped
    // A WAL left behind must not be replayed into the restored file.
    std::ofstream(db.string() + "-wal") << "stale";

    auto r = ops::restore_database(backup, db);
    CHECK(r.events == 300);
    CHECK(count(db) == 300);
    REQUIRE_FALSE(r.previous.empty());
    CHECK(fs::exists(r.previous));
    CHECK(fs::exists(r.previous.string() + "-wal"));
    CHECK_FALSE(fs::exists(db.string() + "-wal"));
    CHECK_FALSE(fs::exists(db.string() + ".restore.partial"));
}

TEST_CASE("scheduled backup names sort by time and pruning deletes only old ones", "[backup]")
{
    using namespace std::chrono;
    auto t = sys_days{year{2026} / 8 / 22} + 13h + 4min + 5s;
    CHECK(ops::scheduled_backup_name(t) == "usage-20260822T130405Z.sqlite");

    cpamd::test::temp_dir dir;
    for (auto when : {t - days(10), t - days(8), t - days(6), t})
        std::ofstream(dir / ops::scheduled_backup_name(when)) << "x";
    std::ofstream(dir / "usage-manual.sqlite") << "x";
    std::ofstream(dir / "notes.txt") << "x";

    CHECK(ops::prune_backups(dir.path(), 0, t).empty());
    auto gone = ops::prune_backups(dir.path(), 7, t);
    CHECK(gone.size() == 2);
    CHECK_FALSE(fs::exists(dir / ops::scheduled_backup_name(t - days(10))));
    CHECK_FALSE(fs::exists(dir / ops::scheduled_backup_name(t - days(8))));
    CHECK(fs::exists(dir / ops::scheduled_backup_name(t - days(6))));
    CHECK(fs::exists(dir / ops::scheduled_backup_name(t)));
    CHECK(fs::exists(dir / "usage-manual.sqlite"));
    CHECK(fs::exists(dir / "notes.txt"));
}
