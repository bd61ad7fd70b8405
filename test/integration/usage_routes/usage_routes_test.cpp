// The usage routes and the offline import/export commands against the real binary.

#include "../../unit/usage/record_generator.hpp"
#include "records.hpp"

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>
#include <cpamd/test/daemon.hpp>
#include <csignal>
#include <fmt/format.h>
#include <fstream>
#include <sqlite3.h>
#include <thread>

using namespace std::chrono_literals;
using cpamd::test::http_reply;
using cpamd::test::running_daemon;
namespace json = boost::json;

namespace
{

const std::string admin_key = "cpamp_testtesttesttesttesttesttest12";
const std::map<std::string, std::string> auth = {{"Authorization", "Bearer " + admin_key}};

std::map<std::string, std::string> daemon_env(const std::filesystem::path& data_dir = {})
{
    std::map<std::string, std::string> env{{"CPA_MANAGER_ADMIN_KEY", admin_key}};
    if (!data_dir.empty())
        env["USAGE_DATA_DIR"] = data_dir.string();
    return env;
}

http_reply post_import(const running_daemon& d, const std::string& body)
{
    auto c = d.client(120s);
    return c.request("POST", "/v0/management/usage/import", body, auth);
}

json::object usage_of(const running_daemon& d, std::string* raw = nullptr)
{
    auto c = d.client(60s);
    auto r = c.get("/v0/management/usage", auth);
    REQUIRE(r.status == 200);
    CHECK(r.header("content-type") == "application/json");
    if (raw)
        *raw = r.body;
    return json::parse(r.body).as_object();
}

void check_against(const json::object& usage, const cpamd::test::expected_usage& e)
{
    CHECK(usage.at("total_requests").as_int64() == e.total_requests);
    CHECK(usage.at("success_count").as_int64() == e.success_count);
    CHECK(usage.at("failure_count").as_int64() == e.failure_count);
    CHECK(usage.at("total_tokens").as_int64() == e.total_tokens);
    std::map<std::pair<std::string, std::string>, std::int64_t> got;
    for (const auto& [ep, epv] : usage.at("apis").as_object())
        for (const auto& [m, mv] : epv.as_object().at("models").as_object())
            got[{std::string(ep), std::string(m)}] =
                static_cast<std::int64_t>(mv.as_object().at("details").as_array().size());
    CHECK(got == e.details);
}

void write_file(const std::filesystem::path& p, const std::string& text)
{
    std::ofstream f(p, std::ios::binary);
    f << text;
}

std::string read_file(const std::filesystem::path& p)
{
    std::ifstream f(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>()};
}

std::int64_t query_int(sqlite3* db, const char* sql)
{
    sqlite3_stmt* s = nullptr;
    REQUIRE(sqlite3_prepare_v2(db, sql, -1, &s, nullptr) == SQLITE_OK);
    std::int64_t v = -1;
    if (sqlite3_step(s) == SQLITE_ROW)
        v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return v;
}

std::string query_text(sqlite3* db, const char* sql)
{
    sqlite3_stmt* s = nullptr;
    REQUIRE(sqlite3_prepare_v2(db, sql, -1, &s, nullptr) == SQLITE_OK);
    std::string v;
    if (sqlite3_step(s) == SQLITE_ROW)
        v = reinterpret_cast<const char*>(sqlite3_column_text(s, 0));
    sqlite3_finalize(s);
    return v;
}

// Uploads `body` through an import session in chunks and completes it; the final session JSON.
json::object import_by_session(const running_daemon& d, const std::string& body)
{
    auto c = d.client(120s);
    auto created = c.request(
        "POST",
        "/v0/management/usage/import-sessions",
        fmt::format(R"({{"filename":"usage.jsonl","size_bytes":{}}})", body.size()),
        auth
    );
    REQUIRE(created.status == 201);
    auto s = json::parse(created.body).as_object();
    auto base = "/v0/management/usage/import-sessions/" + std::string(s.at("id").as_string());
    auto chunk = static_cast<std::size_t>(s.at("chunk_size_bytes").as_int64());
    for (std::size_t off = 0; off < body.size(); off += chunk)
        REQUIRE(
            c.request("PUT", fmt::format("{}/chunk?offset={}", base, off), body.substr(off, chunk), auth)
                .status == 200
        );
    REQUIRE(c.request("POST", base + "/complete", "", auth).status == 202);
    json::object last;
    for (int i = 0; i < 600; ++i)
    {
        last = json::parse(c.get(base, auth).body).as_object();
        if (last.at("status").as_string() != "processing")
            break;
        std::this_thread::sleep_for(50ms);
    }
    return last;
}

int run_cli(
    const std::vector<std::string>& args, const std::filesystem::path& data_dir, std::string* output = nullptr
)
{
    cpamd::test::process_options o;
    o.args = args;
    o.env = {{"USAGE_DATA_DIR", data_dir.string()}};
    cpamd::test::child_process p(cpamd::test::bin_dir() / "cpamd", o);
    auto rc = p.wait(300s);
    if (output)
        *output = p.output();
    return rc.value_or(-1);
}

} // namespace

TEST_CASE("import gives /usage totals equal to an independent computation", "[usage_routes]")
{
    running_daemon d(daemon_env());
    std::string before;
    usage_of(d, &before);
    CHECK(
        before ==
        "{\"total_requests\":0,\"success_count\":0,\"failure_count\":0,\"total_tokens\":0,\"apis\":{}}\n"
    );

    auto records = cpamd::test::make_records(3000, 7);
    auto r = post_import(d, records);
    REQUIRE(r.status == 200);
    CHECK(
        r.body ==
        "{\"format\":\"usage_service_jsonl\",\"added\":3000,\"skipped\":0,\"total\":3000,\"failed\":0,"
        "\"unsupported\":0,\"warnings\":null}\n"
    );
    std::string full;
    check_against(usage_of(d, &full), cpamd::test::expected_from_jsonl(records));

    SECTION("GET /usage answers as /v0/management/usage, for operators' curl")
    {
        auto c = d.client(60s);
        auto short_form = c.get("/usage", auth);
        CHECK(short_form.status == 200);
        CHECK(short_form.body == full);
        CHECK(c.get("/usage").status == 401);
        CHECK(c.request("POST", "/usage", "{}", auth).status == 405);
    }
    SECTION("re-import reports every record as skipped")
    {
        auto again = post_import(d, records);
        REQUIRE(again.status == 200);
        auto o = json::parse(again.body).as_object();
        CHECK(o.at("added").as_int64() == 0);
        CHECK(o.at("skipped").as_int64() == 3000);
    }
    SECTION("a garbage body gets 400 and changes nothing")
    {
        for (std::string garbage :
             {std::string("\x01\x02 not json at all"),
              std::string("[{\"a\":1},"),
              std::string("   \n\t"),
              std::string("{\"usage\":{\"total_requests\":3}}")})
        {
            auto bad = post_import(d, garbage);
            CHECK(bad.status == 400);
            auto o = json::parse(bad.body).as_object();
            CHECK(o.contains("error"));
            CHECK(o.contains("format"));
            CHECK(o.at("code").as_string() == "usage_import_invalid");
        }
        CHECK(usage_of(d).at("total_requests").as_int64() == 3000);
    }
    SECTION("one malformed line rejects the whole file and names the line")
    {
        auto fresh = cpamd::test::make_records(10, 99);
        auto pos = fresh.find('\n', fresh.find('\n') + 1); // after line 2
        fresh.insert(pos + 1, "{\"timestamp\": oops}\n");
        auto bad = post_import(d, fresh);
        CHECK(bad.status == 400);
        CHECK(bad.body.find("line 3") != std::string::npos);
        CHECK(usage_of(d).at("total_requests").as_int64() == 3000);
    }
    SECTION("a body over 64 MiB gets 413")
    {
        // The declared length alone is refused, before any byte of the body is read.
        auto c = d.client();
        c.send_raw(fmt::format(
            "POST /v0/management/usage/import HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\n"
            "Content-Length: {}\r\n\r\n",
            admin_key,
            64 * 1024 * 1024 + 1
        ));
        auto raw = c.read_raw();
        CHECK(raw.rfind("HTTP/1.1 413", 0) == 0);
    }
}

TEST_CASE("a JSON array import streams to the same totals; a broken one names its position", "[usage_routes]")
{
    running_daemon d(daemon_env());
    auto records = cpamd::test::make_records(3000, 7);
    // The same records as one JSON array, spread over lines the way an editor would write it.
    std::string array = "[\n";
    for (std::size_t start = 0, nl; (nl = records.find('\n', start)) != std::string::npos; start = nl + 1)
        array += (start == 0 ? "  " : ",\n  ") + records.substr(start, nl - start);
    array += "\n]\n";
    auto r = post_import(d, array);
    REQUIRE(r.status == 200);
    CHECK(
        r.body ==
        "{\"format\":\"usage_service_jsonl\",\"added\":3000,\"skipped\":0,\"total\":3000,\"failed\":0,"
        "\"unsupported\":0,\"warnings\":null}\n"
    );
    check_against(usage_of(d), cpamd::test::expected_from_jsonl(records));

    auto fresh = cpamd::test::make_records(3, 99);
    auto first_nl = fresh.find('\n');
    std::string one = fresh.substr(0, first_nl);
    auto bad_item = post_import(d, "[" + one + ", {\"timestamp\": oops}]");
    CHECK(bad_item.status == 400);
    CHECK(bad_item.body.find("item 1") != std::string::npos);
    auto cut_short = post_import(d, "[" + one + ",");
    CHECK(cut_short.status == 400);
    CHECK(cut_short.body.find(fmt::format("at byte {}", one.size() + 2)) != std::string::npos);
    CHECK(usage_of(d).at("total_requests").as_int64() == 3000);
}

TEST_CASE("export then import into a fresh data dir reproduces /usage byte for byte", "[usage_routes]")
{
    running_daemon a(daemon_env());
    auto records = cpamd::test::make_records(2500, 11);
    REQUIRE(post_import(a, records).status == 200);
    std::string usage_a;
    usage_of(a, &usage_a);

    auto c = a.client(60s);
    auto exp = c.get("/v0/management/usage/export", auth);
    REQUIRE(exp.status == 200);
    CHECK(exp.header("content-type") == "application/x-ndjson");
    CHECK(exp.header("content-disposition") == "attachment; filename=\"usage-events.jsonl\"");
    CHECK(std::count(exp.body.begin(), exp.body.end(), '\n') == 2500);

    auto bad = c.get("/v0/management/usage/export?from=yesterday", auth);
    CHECK(bad.status == 400);
    auto ranged = c.get("/v0/management/usage/export?from=1778025600000&to=1778025610000", auth);
    REQUIRE(ranged.status == 200);
    CHECK(std::count(ranged.body.begin(), ranged.body.end(), '\n') == 10);

    running_daemon b(daemon_env());
    auto imp = post_import(b, exp.body);
    REQUIRE(imp.status == 200);
    std::string usage_b;
    usage_of(b, &usage_b);
    CHECK(usage_a == usage_b);
    auto exp_b = b.client(60s).get("/v0/management/usage/export", auth);
    CHECK(exp_b.body == exp.body);
}

TEST_CASE("kill -9 during a big import leaves a consistent database", "[usage_routes][slow]")
{
    const std::int64_t kill_records = 90000; // about 55 MB of JSONL, under the 64 MiB limit
    cpamd::test::temp_dir dir;
    auto data = dir / "data";
    auto records = cpamd::test::make_records(kill_records, 5);
    {
        running_daemon d(daemon_env(data));
        std::thread sender(
            [&]
            {
                try
                {
                    post_import(d, records);
                }
                catch (...)
                {
                    // the daemon dies under us
                }
            }
        );
        REQUIRE(records.size() < 64u * 1024 * 1024);
        // Kill as soon as the first batches are committed (the insert pass is under way).
        auto deadline = std::chrono::steady_clock::now() + 120s;
        while (std::chrono::steady_clock::now() < deadline)
        {
            sqlite3* db = nullptr;
            std::int64_t n = 0;
            if (sqlite3_open_v2((data / "usage.sqlite").c_str(), &db, SQLITE_OPEN_READONLY, nullptr) ==
                SQLITE_OK)
            {
                sqlite3_busy_timeout(db, 1000);
                sqlite3_stmt* st = nullptr;
                if (sqlite3_prepare_v2(db, "SELECT count(*) FROM events", -1, &st, nullptr) == SQLITE_OK &&
                    sqlite3_step(st) == SQLITE_ROW)
                    n = sqlite3_column_int64(st, 0);
                sqlite3_finalize(st);
            }
            sqlite3_close(db);
            if (n > 0)
                break;
            std::this_thread::sleep_for(20ms);
        }
        d.process().signal(SIGKILL);
        d.process().wait(10s);
        sender.join();
    }
    std::int64_t stored = 0;
    {
        sqlite3* db = nullptr;
        REQUIRE(sqlite3_open((data / "usage.sqlite").c_str(), &db) == SQLITE_OK);
        CHECK(query_text(db, "PRAGMA integrity_check") == "ok");
        stored = query_int(db, "SELECT count(*) FROM events");
        // Every committed batch carries its rollups (folded, or as a pending delta when the writer
        // was behind): they always agree with the events.
        CHECK(
            query_int(db, "SELECT coalesce(sum(calls), 0) FROM rollup_hour") +
                query_int(db, "SELECT coalesce(sum(events), 0) FROM rollup_pending") ==
            stored
        );
        sqlite3_close(db);
    }
    INFO("events committed before the kill: " << stored);
    CHECK(stored <= kill_records);

    // Running the same import again finishes the job.
    running_daemon d(daemon_env(data));
    auto r = post_import(d, records);
    REQUIRE(r.status == 200);
    auto o = json::parse(r.body).as_object();
    CHECK(o.at("skipped").as_int64() == stored);
    CHECK(o.at("added").as_int64() == kill_records - stored);
}

TEST_CASE("import sessions upload in chunks and import asynchronously", "[usage_routes]")
{
    running_daemon d(daemon_env());
    auto records = cpamd::test::make_records(800, 3);
    auto c = d.client(60s);
    auto created = c.request(
        "POST",
        "/v0/management/usage/import-sessions",
        fmt::format(R"({{"filename":"/tmp/x/usage.jsonl","size_bytes":{}}})", records.size()),
        auth
    );
    REQUIRE(created.status == 201);
    auto s = json::parse(created.body).as_object();
    std::string id(s.at("id").as_string());
    CHECK(id.size() == 32);
    CHECK(s.at("filename").as_string() == "usage.jsonl");
    CHECK(s.at("status").as_string() == "uploading");
    auto chunk = static_cast<std::size_t>(s.at("chunk_size_bytes").as_int64());
    std::size_t step = std::min<std::size_t>(chunk, 100000);

    auto base = "/v0/management/usage/import-sessions/" + id;
    CHECK(c.request("POST", base + "/complete", "", auth).status == 409);
    CHECK(c.request("PUT", base + "/chunk?offset=5", "abc", auth).status == 409);
    for (std::size_t off = 0; off < records.size(); off += step)
    {
        auto r =
            c.request("PUT", fmt::format("{}/chunk?offset={}", base, off), records.substr(off, step), auth);
        REQUIRE(r.status == 200);
    }
    CHECK(json::parse(c.get(base, auth).body).as_object().at("status").as_string() == "ready");
    auto done = c.request("POST", base + "/complete", "", auth);
    CHECK(done.status == 202);
    json::object last;
    for (int i = 0; i < 200; ++i)
    {
        last = json::parse(c.get(base, auth).body).as_object();
        if (last.at("status").as_string() != "processing")
            break;
        std::this_thread::sleep_for(50ms);
    }
    REQUIRE(last.at("status").as_string() == "completed");
    CHECK(last.at("result").as_object().at("added").as_int64() == 800);
    CHECK(c.get("/v0/management/usage/import-sessions/00000000000000000000000000000000", auth).status == 404);
    check_against(usage_of(d), cpamd::test::expected_from_jsonl(records));
}

TEST_CASE("cpamd import and export work offline and refuse a running daemon", "[usage_routes][cli]")
{
    cpamd::test::temp_dir dir;
    auto records = cpamd::test::make_records(1500, 21);
    write_file(dir / "in.jsonl", records);
    std::string out;
    REQUIRE(run_cli({"import", (dir / "in.jsonl").string()}, dir / "one", &out) == 0);
    CHECK(out.find("\"added\":1500") != std::string::npos);
    REQUIRE(run_cli({"export", "--out", (dir / "one.jsonl").string()}, dir / "one", &out) == 0);
    REQUIRE(run_cli({"import", (dir / "one.jsonl").string()}, dir / "two", &out) == 0);
    REQUIRE(run_cli({"export", "--out", (dir / "two.jsonl").string()}, dir / "two", &out) == 0);
    CHECK(read_file(dir / "one.jsonl") == read_file(dir / "two.jsonl"));
    CHECK(std::count(records.begin(), records.end(), '\n') == 1500);

    write_file(dir / "bad.jsonl", records.substr(0, 2000) + "\nnot json\n");
    CHECK(run_cli({"import", (dir / "bad.jsonl").string()}, dir / "one", &out) == 1);
    CHECK(out.find("nothing was imported") != std::string::npos);

    running_daemon d(daemon_env(dir / "one"));
    check_against(usage_of(d), cpamd::test::expected_from_jsonl(records));
    CHECK(run_cli({"import", (dir / "in.jsonl").string()}, dir / "one", &out) == 1);
    CHECK(out.find("another cpamd process") != std::string::npos);
}

TEST_CASE("export then import keeps every field of every record version", "[usage_routes]")
{
    // Item 7 of issue 17: records with service tiers (and other optional fields) came back from an
    // export without them. Records of every CPA version, every optional field present or not.
    cpamd::test::record_generator gen(7);
    std::string records;
    for (int i = 0; i < 1500; ++i)
        records += gen.next(i) + "\n";
    running_daemon a(daemon_env());
    auto r = post_import(a, records);
    INFO(r.body);
    REQUIRE(r.status == 200);
    std::string usage_a;
    usage_of(a, &usage_a);
    CHECK(usage_a.find("\"request_service_tier\"") != std::string::npos);
    CHECK(usage_a.find("\"response_service_tier\"") != std::string::npos);
    auto exp_a = a.client(60s).get("/v0/management/usage/export", auth);
    REQUIRE(exp_a.status == 200);
    CHECK(exp_a.body.find("\"client_ip\"") != std::string::npos);

    running_daemon b(daemon_env());
    auto imp = post_import(b, exp_a.body);
    REQUIRE(imp.status == 200);
    CHECK(json::parse(imp.body).as_object().at("added").as_int64() == 1500);
    std::string usage_b;
    usage_of(b, &usage_b);
    CHECK(usage_a == usage_b);
    auto exp_b = b.client(60s).get("/v0/management/usage/export", auth);
    CHECK(exp_b.body == exp_a.body);
}

TEST_CASE("timestamps and counters out of range reject the whole import by line", "[usage_routes]")
{
    // Items 8 and 9 of issue 17: year 0001 was stored as 1754, an invalid time became "now" (so
    // every re-import added the record again), 2^64 tokens wrapped the sums.
    cpamd::test::temp_dir dir;
    running_daemon d(daemon_env(dir / "data"));
    auto records = cpamd::test::make_records(20, 4);
    REQUIRE(post_import(d, records).status == 200);
    for (auto [bad, why] : std::vector<std::pair<std::string, std::string>>{
             {R"({"timestamp":"0001-01-01T00:00:00Z","model":"m"})", "timestamp is outside"},
             {R"({"timestamp":"9999-12-31T23:59:59Z","model":"m"})", "timestamp is outside"},
             {R"({"timestamp":"yesterday","model":"m"})", "timestamp is not a valid time"},
             {R"({"model":"m","tokens":{"input_tokens":1}})", "record has no timestamp"},
             {R"({"timestamp":1778025601,"tokens":{"total_tokens":18446744073709551616}})",
              "token counter is outside"},
         })
    {
        INFO(bad);
        std::string body = cpamd::test::make_records(3, 77) + bad + "\n";
        auto r = post_import(d, body);
        CHECK(r.status == 400);
        auto o = json::parse(r.body).as_object();
        CHECK(o.at("code").as_string() == "usage_import_invalid");
        std::string error(o.at("error").as_string());
        CHECK(error.find("line 4: usage: " + why) != std::string::npos);
    }
    CHECK(usage_of(d).at("total_requests").as_int64() == 20);

    std::string body =
        cpamd::test::make_records(3, 78) + R"({"timestamp":"0001-01-01T00:00:00Z","model":"m"})";
    auto s = import_by_session(d, body);
    CHECK(s.at("status").as_string() == "failed");
    CHECK(s.at("retryable").as_bool() == false);
    CHECK(
        std::string(s.at("error").as_string()).find("line 4: usage: timestamp is outside") !=
        std::string::npos
    );
    CHECK(s.at("result").as_object().at("code").as_string() == "usage_import_invalid");
    CHECK(usage_of(d).at("total_requests").as_int64() == 20);
}

TEST_CASE("a first line over 10 MiB is refused like any other line", "[usage_routes]")
{
    // Item 12 of issue 17: the first line escaped the per-line limit (a 100 MB one was imported).
    std::string big = R"({"timestamp":"2026-05-06T00:00:01Z","model":"m","pad":")" +
                      std::string(11u << 20, 'x') + "\"}\n" + cpamd::test::make_records(2, 5);
    cpamd::test::temp_dir dir;
    {
        running_daemon d(daemon_env(dir / "data"));
        auto r = post_import(d, big);
        CHECK(r.status == 413);
        auto o = json::parse(r.body).as_object();
        CHECK(o.at("code").as_string() == "usage_import_line_too_long");
        CHECK(std::string(o.at("error").as_string()).find("line 1:") != std::string::npos);
        CHECK(usage_of(d).at("total_requests").as_int64() == 0);

        auto s = import_by_session(d, big);
        CHECK(s.at("status").as_string() == "failed");
        CHECK(std::string(s.at("error").as_string()).find("line 1:") != std::string::npos);
        CHECK(s.at("result").as_object().at("code").as_string() == "usage_import_line_too_long");
        CHECK(usage_of(d).at("total_requests").as_int64() == 0);

        // JSONL errors name lines, also when the first line is the bad one (item 13c).
        auto first_bad = post_import(d, "{\"timestamp\": oops}\n" + cpamd::test::make_records(2, 6));
        CHECK(first_bad.status == 400);
        CHECK(first_bad.body.find("line 1:") != std::string::npos);
        CHECK(first_bad.body.find("item 1") == std::string::npos);
    }
    write_file(dir / "big.jsonl", big);
    std::string out;
    CHECK(run_cli({"import", (dir / "big.jsonl").string()}, dir / "data", &out) == 1);
    CHECK(out.find("line 1:") != std::string::npos);
    CHECK(out.find("nothing was imported") != std::string::npos);
}
