// Schema v6: rollup_hour without the API key. Rows that differed only by key become one, with
// their sums added and their latency histograms merged; a pending delta written before v6 is
// still read (its key field dropped).

#include <catch2/catch.hpp>
#include <cpamd/store/latency_histogram.hpp>
#include <cpamd/store/migrations.hpp>
#include <cpamd/store/rollup_rows.hpp>
#include <cpamd/test/temp_dir.hpp>
#include <fmt/format.h>
#include <string>
#include <vector>

using namespace cpamd::store;

namespace
{

std::string encoded(std::initializer_list<std::int64_t> samples)
{
    latency_histogram h;
    for (auto ms : samples)
        h.add(ms);
    return h.encode();
}

std::string hex(std::string_view bytes)
{
    std::string out;
    for (unsigned char c : bytes)
        out += fmt::format("{:02x}", c);
    return out;
}

// A v5 rollup row of hour 490000, model 1, provider 2, endpoint 6, billing model 1.
void insert_v5_row(connection& db, int auth_index, int api_key, int calls, std::string_view hist)
{
    db.exec(fmt::format(
        "INSERT INTO rollup_hour VALUES (490000, 1, 2, {0}, {1}, 6, 0, 1, 0, 0, {2}, {3}, {2}, 0, 0, 0, 0, "
        "0, "
        "{4}, {3}, 0, 0, {2}, 0, {2}, {5}, 0, 0, x'{6}')",
        auth_index,
        api_key,
        calls,
        10 * calls,
        11 * calls,
        100 * calls,
        hex(hist)
    ));
}

} // namespace

TEST_CASE("migration v6 folds rollup rows that differed only by API key", "[store][migrations]")
{
    cpamd::test::temp_dir dir;
    connection db(dir / "usage.sqlite", connection::mode::read_write_create);
    migrate_to(db, 5);
    insert_v5_row(db, 3, 4, 2, encoded({100, 200}));
    insert_v5_row(db, 3, 5, 3, encoded({100, 300, 4000}));
    insert_v5_row(db, 7, 4, 1, encoded({50}));
    // A format-2 delta (ten key fields: …, auth_index 3, api_key 9, endpoint 6, failed 0, billing 1,
    // tier 0, floor 0) of 4 calls, 40 input, 4 output, 44 total, 40 uncached, 4 output cost.
    db.exec("INSERT INTO rollup_pending (events, deltas, format) VALUES "
            "(4, x'a0e83b020406120c0002000008500800000000005850000008000000000000', 2)");
    migrate(db);

    CHECK(db.query_int("SELECT count(*) FROM pragma_table_info('rollup_hour') WHERE name = 'api_key'") == 0);
    CHECK(db.query_int("SELECT count(*) FROM rollup_hour") == 2);
    auto s = db.prepare("SELECT calls, input_tokens, total_tokens, latency_count, latency_sum, latency_hist "
                        "FROM rollup_hour WHERE auth_index = 3");
    REQUIRE(s.step());
    CHECK(s.int64(0) == 5);
    CHECK(s.int64(1) == 50);
    CHECK(s.int64(2) == 55);
    CHECK(s.int64(3) == 5);
    CHECK(s.int64(4) == 500);
    CHECK(std::string(s.blob(5)) == encoded({100, 200, 100, 300, 4000}));
    s.reset();

    std::int64_t calls = 0, deltas = 0;
    for_each_rollup_row(
        db,
        490000,
        490001,
        [&](const rollup_row& r)
        {
            calls += r.calls;
            if (r.calls == 4)
            {
                ++deltas;
                CHECK(r.auth_index == 3);
                CHECK(r.endpoint == 6);
                CHECK_FALSE(r.failed);
                CHECK(r.billing_model == 1);
                CHECK(r.tokens[0] == 40);
                CHECK(r.tokens[7] == 44);
                CHECK(r.cost[3] == 4);
            }
        }
    );
    CHECK(deltas == 1);
    CHECK(calls == 2 + 3 + 1 + 4);
}
