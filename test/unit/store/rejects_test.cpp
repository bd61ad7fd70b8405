// The rejects table stays bounded: one payload keeps at most a prefix (with the original size and
// SHA-256 in its reason), and the table drops its oldest rows beyond a row and a byte cap. The
// writer's last error clears once a batch commits again.

#include <catch2/catch.hpp>
#include <cpamd/store/batch_writer.hpp>
#include <cpamd/store/database.hpp>
#include <cpamd/store/event_writer.hpp>
#include <cpamd/test/temp_dir.hpp>
#include <cpamd/usage/sha256.hpp>
#include <future>

using namespace cpamd::store;

namespace
{

std::string digest_hex(std::string_view bytes)
{
    return cpamd::usage::sha256_hex(bytes);
}

std::string payload_of(std::size_t bytes, char fill, int number)
{
    std::string p = "reject " + std::to_string(number) + " ";
    p.resize(bytes, fill);
    return p;
}

struct fixture
{
    cpamd::test::temp_dir dir;
    connection db = open_writer(dir / "usage.sqlite");

    std::int64_t count(const char* sql) { return db.query_int(sql).value_or(-1); }
    std::string text(const char* sql)
    {
        auto st = db.prepare(sql);
        return st.step() ? std::string(st.text(0)) : std::string();
    }
};

} // namespace

TEST_CASE_METHOD(
    fixture, "an oversized reject keeps a 64 KiB prefix, its size and its hash", "[store][rejects]"
)
{
    batch_writer w(db);
    auto big = payload_of(1 << 20, 'x', 1);
    std::vector<rejected_record> rj{{"collector:http", "not a usage record", big}};
    auto c = w.write({}, rj);
    CHECK(c.rejected == 1);
    CHECK(count("SELECT length(payload) FROM rejects") == 64 * 1024);
    auto reason = text("SELECT reason FROM rejects");
    CHECK(reason.starts_with("not a usage record"));
    CHECK(reason.find("1048576") != std::string::npos);
    CHECK(reason.find(digest_hex(big)) != std::string::npos);
    CHECK(text("SELECT lower(hex(payload_hash)) FROM rejects") == digest_hex(big));

    // The same bytes again are the same reject; other bytes with the same prefix are not.
    w.write({}, rj);
    CHECK(count("SELECT count(*) FROM rejects") == 1);
    auto other = big;
    other.back() = 'y';
    w.write({}, std::vector<rejected_record>{{"collector:http", "not a usage record", other}});
    CHECK(count("SELECT count(*) FROM rejects") == 2);
}

TEST_CASE_METHOD(
    fixture, "a reject cut by its producer keeps the size and hash it was given", "[store][rejects]"
)
{
    batch_writer w(db);
    auto whole = payload_of(3 << 20, 'g', 2);
    auto digest = cpamd::usage::sha256(whole);
    rejected_record r{"collector:http", "usage-queue reply larger than the cap", whole.substr(0, 1000)};
    r.original_bytes = whole.size();
    r.original_sha256.assign(reinterpret_cast<const char*>(digest.data()), digest.size());
    w.write({}, std::vector<rejected_record>{r});
    CHECK(count("SELECT length(payload) FROM rejects") == 1000);
    auto reason = text("SELECT reason FROM rejects");
    CHECK(reason.find(std::to_string(whole.size())) != std::string::npos);
    CHECK(reason.find(digest_hex(whole)) != std::string::npos);
    CHECK(text("SELECT lower(hex(payload_hash)) FROM rejects") == digest_hex(whole));
}

TEST_CASE_METHOD(
    fixture, "beyond its row cap the rejects table drops its oldest rows and counts them", "[store][rejects]"
)
{
    reject_limits limits;
    limits.max_rows = 10;
    batch_writer w(db, limits);
    std::uint64_t dropped = 0;
    int n = 0;
    for (int batch = 0; batch < 3; ++batch)
    {
        std::vector<rejected_record> rj;
        for (int i = 0; i < 8; ++i, ++n)
            rj.push_back({"import", "bad", payload_of(100, 'r', n)});
        dropped += w.write({}, rj).rejects_dropped;
    }
    CHECK(count("SELECT count(*) FROM rejects") == 10);
    CHECK(dropped == 14);
    // The newest stay.
    CHECK(text("SELECT payload FROM rejects ORDER BY id LIMIT 1").starts_with("reject 14 "));
    CHECK(text("SELECT payload FROM rejects ORDER BY id DESC LIMIT 1").starts_with("reject 23 "));
}

TEST_CASE_METHOD(fixture, "beyond its byte cap the rejects table drops its oldest rows", "[store][rejects]")
{
    reject_limits limits;
    limits.max_bytes = 5000;
    batch_writer w(db, limits);
    std::vector<rejected_record> rj;
    for (int i = 0; i < 8; ++i)
        rj.push_back({"import", "bad", payload_of(1000, 'b', i)});
    CHECK(w.write({}, rj).rejects_dropped == 3);
    CHECK(count("SELECT count(*) FROM rejects") == 5);
    CHECK(count("SELECT sum(length(payload)) FROM rejects") <= 5000);
    CHECK(text("SELECT payload FROM rejects ORDER BY id LIMIT 1").starts_with("reject 3 "));
}

TEST_CASE("the writer's last error clears once a batch commits again", "[store][rejects]")
{
    cpamd::test::temp_dir dir;
    event_writer w(dir / "usage.sqlite");
    {
        // Any reject from origin "boom" makes the transaction fail.
        connection c = open_writer(dir / "usage.sqlite");
        c.exec("CREATE TRIGGER boom BEFORE INSERT ON rejects WHEN NEW.origin = 'boom' "
               "BEGIN SELECT RAISE(ABORT, 'simulated failure'); END");
    }
    auto write = [&](std::string origin)
    {
        std::promise<write_result> p;
        w.submit(
            {}, {{origin, "bad", "payload " + origin}}, [&](write_result r) { p.set_value(std::move(r)); }
        );
        return p.get_future().get();
    };
    CHECK(write("boom").error.has_value());
    CHECK(w.stats().last_error.find("simulated failure") != std::string::npos);
    CHECK_FALSE(write("fine").error.has_value());
    CHECK(w.stats().last_error.empty());
    CHECK(w.stats().failed_batches == 1);
}
