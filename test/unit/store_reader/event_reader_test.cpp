// Reading stored events back: every field survives the round trip, cursors order and bound.

#include <catch2/catch.hpp>
#include <cpamd/store/database.hpp>
#include <cpamd/store/event_reader.hpp>
#include <cpamd/store/store.hpp>
#include <cpamd/test/temp_dir.hpp>
#include <cpamd/test/temp_store.hpp>
#include <cpamd/usage/export_codec.hpp>
#include <cpamd/usage/parse_record.hpp>
#include <fmt/format.h>
#include <vector>

using namespace cpamd;

namespace
{

usage::event make_event(int i, std::string_view ts, bool failed = false)
{
    auto rec = fmt::format(
        R"({{"timestamp":"{}","latency_ms":{},"source":"user{}@example.com","auth_index":"a{}",)"
        R"("client_ip":"10.0.0.{}","user_agent":"ua/{}","provider":"codex","executor_type":"CodexExecutor",)"
        R"J("model":"gpt-5","alias":"gpt-5(high)","endpoint":"POST /v1/responses","request_id":"r{}",)J"
        R"("service_tier":"priority","response_service_tier":"default","failed":{},)"
        R"("fail":{{"status_code":{},"body":"boom"}},)"
        R"("response_headers":{{"X-Codex-Primary-Used-Percent":["37"]}},)"
        R"("tokens":{{"input_tokens":{},"output_tokens":5,"cached_tokens":3,"cache_read_tokens":3,"total_tokens":{}}}}})",
        ts,
        100 + i,
        i,
        i,
        i % 250,
        i,
        i,
        failed ? "true" : "false",
        failed ? 429 : 200,
        10 + i,
        15 + i
    );
    usage::parse_options o;
    o.now = usage::utc_time{1778025600, 0};
    auto r = usage::parse_record(rec, o);
    REQUIRE(r.has_value());
    return *r;
}

struct fixture : test::temp_store
{
    std::vector<store::stored_event>
    read(store::event_order order, std::int64_t limit, store::time_range r = {})
    {
        auto c = store::open_reader(dir / "usage.sqlite");
        store::event_cursor cur(c, order, limit, r);
        std::vector<store::stored_event> out;
        store::stored_event row;
        while (cur.next(row))
            out.push_back(row);
        return out;
    }
};

} // namespace

TEST_CASE("a stored event reads back field for field", "[event_reader]")
{
    fixture f;
    auto ev = make_event(1, "2026-08-22T14:03:11.482913027+08:00", true);
    f.write({ev});
    auto rows = f.read(store::event_order::newest_first, 10);
    REQUIRE(rows.size() == 1);
    // Everything the parser produced is stored and rebuilt, including the nanosecond timestamp.
    CHECK(rows[0].ev == ev);
    CHECK(rows[0].ev.timestamp == "2026-08-22T06:03:11.482913027Z");
    CHECK(usage::export_line(rows[0].ev) == usage::export_line(ev));
}

TEST_CASE("cursors walk the newest window in either order", "[event_reader]")
{
    fixture f;
    std::vector<usage::event> evs;
    // Two events share a timestamp: id breaks the tie.
    evs.push_back(make_event(0, "2026-05-06T00:00:01Z"));
    evs.push_back(make_event(1, "2026-05-06T00:00:02Z"));
    evs.push_back(make_event(2, "2026-05-06T00:00:02Z"));
    evs.push_back(make_event(3, "2026-05-06T00:00:03.5Z"));
    evs.push_back(make_event(4, "2026-05-06T00:00:00Z"));
    f.write(evs);

    auto ids = [](const std::vector<store::stored_event>& rows)
    {
        std::vector<std::string> v;
        for (const auto& r : rows)
            v.push_back(r.ev.request_id);
        return v;
    };
    using V = std::vector<std::string>;
    CHECK(ids(f.read(store::event_order::newest_first, 0)) == V{"r3", "r2", "r1", "r0", "r4"});
    CHECK(ids(f.read(store::event_order::newest_first, 2)) == V{"r3", "r2"});
    CHECK(ids(f.read(store::event_order::oldest_first, 0)) == V{"r4", "r0", "r1", "r2", "r3"});
    // The newest three (r3, r2, r1), oldest first: the bound sits inside a timestamp tie.
    CHECK(ids(f.read(store::event_order::oldest_first, 3)) == V{"r1", "r2", "r3"});
    CHECK(ids(f.read(store::event_order::oldest_first, 2)) == V{"r2", "r3"});
    CHECK(ids(f.read(store::event_order::oldest_first, 100)).size() == 5);

    const std::int64_t t0 = 1778025600000; // 2026-05-06T00:00:00Z
    store::time_range r{t0 + 1000, t0 + 3000};
    CHECK(ids(f.read(store::event_order::oldest_first, 0, r)) == V{"r0", "r1", "r2"});
    CHECK(ids(f.read(store::event_order::newest_first, 0, r)) == V{"r2", "r1", "r0"});
    CHECK(ids(f.read(store::event_order::oldest_first, 1, r)) == V{"r2"});
    CHECK(f.read(store::event_order::oldest_first, 0, {t0 + 10000, std::nullopt}).empty());
}

TEST_CASE("an empty database gives empty cursors", "[event_reader]")
{
    fixture f;
    CHECK(f.read(store::event_order::newest_first, 10).empty());
    CHECK(f.read(store::event_order::oldest_first, 10).empty());
    auto c = store::open_reader(f.dir / "usage.sqlite");
    store::event_lookup lookup(c);
    store::stored_event row;
    CHECK_FALSE(lookup.read(1, row));
}
