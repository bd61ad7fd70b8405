// The Accounts page's monitoring routes on the real daemon (analytics-api §3): account-history,
// account-window-usage and header-snapshots, against counts known from the seeded records, and a
// 400 naming the field for each class of bad body.

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>
#include <chrono>
#include <cpamd/test/daemon.hpp>
#include <cstdint>
#include <fmt/format.h>
#include <map>
#include <string>
#include <vector>

using cpamd::test::running_daemon;
namespace json = boost::json;

namespace
{

const std::string admin_key = "cpamp_accountroutesadminkey0123456";
constexpr int seeded = 60;
constexpr std::int64_t minute_ms = 60'000;

std::map<std::string, std::string> admin()
{
    return {{"Authorization", "Bearer " + admin_key}, {"Content-Type", "application/json"}};
}

std::int64_t clock_ms()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch()
    )
        .count();
}

std::string rfc3339(std::int64_t ms)
{
    auto secs = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    return fmt::format(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        tm.tm_year + 1900,
        tm.tm_mon + 1,
        tm.tm_mday,
        tm.tm_hour,
        tm.tm_min,
        tm.tm_sec,
        ms % 1000
    );
}

// Event i, i minutes after `start`: credential i % 3 (source team-project-<c>, auth index
// 00000000000000c<c>); every 4th is the mini model; every 5th failed; credential 0's events
// carry Codex quota headers (used percent = i).
int credential_of(int i)
{
    return i % 3;
}
bool is_mini(int i)
{
    return i % 4 == 0;
}
bool failed(int i)
{
    return i % 5 == 0;
}

std::string record(int i, std::int64_t start)
{
    const int c = credential_of(i);
    const auto headers =
        c == 0 ? fmt::format(R"(,"response_headers":{{"X-Codex-Primary-Used-Percent":["{}"]}})", i)
               : std::string();
    return fmt::format(
        R"({{"timestamp":"{}","provider":"codex","model":"{}","api_key":"sk-{}","source":"team-project-{}",)"
        R"("auth_index":"00000000000000c{}","endpoint":"POST /v1/responses","auth_type":"oauth",)"
        R"("request_id":"{:08x}","failed":{},"latency_ms":{},)"
        R"("tokens":{{"input_tokens":100,"output_tokens":10,"total_tokens":110}}{}}})",
        rfc3339(start + i * minute_ms),
        is_mini(i) ? "gpt-5.4-mini" : "gpt-5.5",
        i % 2,
        c,
        c,
        i,
        failed(i) ? "true" : "false",
        100 + i,
        headers
    );
}

json::object post(cpamd::test::http_client& c, const std::string& path, const std::string& body)
{
    auto r = c.request("POST", path, body, admin());
    INFO(r.body);
    REQUIRE(r.status == 200);
    return json::parse(r.body).as_object();
}

std::string error_code(cpamd::test::http_client& c, const std::string& path, const std::string& body)
{
    auto r = c.request("POST", path, body, admin());
    INFO(body << " -> " << r.body);
    CHECK(r.status == 400);
    return std::string(json::parse(r.body).as_object().at("code").as_string());
}

} // namespace

TEST_CASE("account history, window usage and header snapshots through the daemon", "[daemon][monitoring]")
{
    running_daemon d({{"CPA_MANAGER_ADMIN_KEY", admin_key}});
    auto c = d.client();
    const auto start = clock_ms() - 2 * seeded * minute_ms;
    std::string records;
    for (int i = 0; i < seeded; ++i)
        records += record(i, start) + "\n";
    REQUIRE(c.request("POST", "/v0/management/usage/import", records, admin()).status == 200);

    SECTION("account-history: lifetime totals and the newest requests per target")
    {
        const std::string path = "/v0/management/monitoring/account-history";
        auto r = post(
            c,
            path,
            R"({"accounts":[{"row_key":"a","auth_index":"00000000000000c1"},)"
            R"({"row_key":"b","source":"team-project-2"},{"row_key":"c","account_key":"team-project-0"},)"
            R"({"row_key":"none","auth_index":"ffffffffffffffff"}],"catch_up":true})"
        );
        CHECK(r.at("checkpoint").at("processed").as_int64() == seeded);
        const auto& items = r.at("items").as_array();
        REQUIRE(items.size() == 4);
        for (int cred : {1, 2, 0})
        {
            const auto& item = items[static_cast<std::size_t>(cred == 1 ? 0 : cred == 2 ? 1 : 2)].as_object();
            INFO("credential " << cred);
            std::int64_t calls = 0, failures = 0, first = -1, last = -1;
            for (int i = 0; i < seeded; ++i)
                if (credential_of(i) == cred)
                {
                    ++calls, failures += failed(i) ? 1 : 0;
                    if (first < 0)
                        first = i;
                    last = i;
                }
            CHECK(item.at("requests").as_int64() == calls);
            CHECK(item.at("failure").as_int64() == failures);
            CHECK(item.at("first_seen_ms").as_int64() == start + first * minute_ms);
            CHECK(item.at("last_seen_ms").as_int64() == start + last * minute_ms);
            const auto& recent = item.at("recent_requests").as_array();
            REQUIRE(recent.size() == 10);
            CHECK(recent[0].at("timestamp_ms").as_int64() == start + last * minute_ms);
            CHECK(item.at("latest_request").at("id") == recent[0].at("id"));
            for (std::size_t k = 1; k < recent.size(); ++k)
                CHECK(recent[k].at("timestamp_ms").as_int64() < recent[k - 1].at("timestamp_ms").as_int64());
            CHECK(item.at("sync_status") == "synced");
        }
        CHECK(items[3].at("requests").as_int64() == 0);
        CHECK(items[3].at("latest_request").is_null());

        std::string many = R"({"accounts":[)";
        for (int i = 0; i < 201; ++i)
            many += fmt::format(R"({}{{"row_key":"r{}","auth_index":"x"}})", i ? "," : "", i);
        many += "]}";
        CHECK(error_code(c, path, "{\"accounts\":") == "invalid_json");
        CHECK(error_code(c, path, R"({"accounts":[]})") == "invalid_accounts");
        CHECK(error_code(c, path, many) == "invalid_accounts");
        CHECK(
            error_code(
                c, path, R"({"accounts":[{"row_key":"a","source":"s"},{"row_key":"a","source":"t"}]})"
            ) == "invalid_accounts[1].row_key"
        );
        CHECK(error_code(c, path, R"({"accounts":[{"row_key":"a"}]})") == "invalid_accounts[0].account_key");
        CHECK(
            error_code(c, path, R"({"accounts":[{"row_key":"a","source":"s","colour":"red"}]})") ==
            "invalid_accounts[0].colour"
        );
        CHECK(
            error_code(c, path, R"({"accounts":[{"row_key":"a","source":"s"}],"extra":1})") == "invalid_extra"
        );
    }

    SECTION("account-window-usage: one credential inside a window, in and out of its model scope")
    {
        const std::string path = "/v0/management/monitoring/account-window-usage";
        const auto from = start + 10 * minute_ms, to = start + 40 * minute_ms; // events 10..39
        auto r = post(
            c,
            path,
            fmt::format(
                R"({{"windows":[{{"row_key":"w1","window_key":"5h","from_ms":{},"to_ms":{},)"
                R"("auth_index":"00000000000000c0","model_scope":{{"kind":"family","key":"gpt-5.5","models":["gpt-5.5"]}}}},)"
                R"({{"row_key":"w2","from_ms":{},"to_ms":{},"source":"team-project-0"}}]}})",
                from,
                to,
                from,
                to
            )
        );
        std::int64_t in_scope = 0, outside = 0, all = 0;
        for (int i = 10; i < 40; ++i)
            if (credential_of(i) == 0)
                ++all, ++(is_mini(i) ? outside : in_scope);
        const auto& items = r.at("items").as_array();
        REQUIRE(items.size() == 2);
        CHECK(items[0].at("row_key") == "w1");
        CHECK(items[0].at("window_key") == "5h");
        CHECK(items[0].at("requests").as_int64() == in_scope);
        CHECK(items[0].at("unmatched_requests").as_int64() == outside);
        CHECK(items[0].at("scope_match_status") == "partial");
        CHECK(items[1].at("requests").as_int64() == all);
        CHECK(items[1].at("scope_match_status") == "unscoped");
        CHECK(
            error_code(
                c, path, fmt::format(R"({{"windows":[{{"row_key":"w","from_ms":{},"to_ms":{}}}]}})", to, from)
            ) == "invalid_windows[0].to_ms"
        );
        CHECK(error_code(c, path, R"({"windows":{}})") == "invalid_windows");
    }

    SECTION("header-snapshots: the newest header snapshot per credential")
    {
        const std::string path = "/v0/management/monitoring/header-snapshots";
        auto r = c.get(path + "?days=7&limit=50", admin());
        REQUIRE(r.status == 200);
        auto body = json::parse(r.body).as_object();
        const auto& items = body.at("items").as_array();
        REQUIRE(items.size() == 1); // only credential 0's events carry quota headers
        int newest = 0;
        for (int i = 0; i < seeded; ++i)
            if (credential_of(i) == 0)
                newest = i;
        CHECK(items[0].at("auth_index") == "00000000000000c0");
        CHECK(items[0].at("timestamp_ms").as_int64() == start + newest * minute_ms);
        INFO(json::serialize(items[0]));
        CHECK(items[0].at("header_quota_used_percent").to_number<double>() == newest);
        CHECK(items[0].at("response_metadata").is_object());
        CHECK(c.get(path + "?days=abc", admin()).status == 400);
        CHECK(json::parse(c.get(path + "?days=9999&limit=0", admin()).body).at("days").as_int64() == 365);
        CHECK(c.get(path).status == 401);
    }
}
