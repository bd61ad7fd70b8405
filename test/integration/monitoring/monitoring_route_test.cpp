// POST /v0/management/monitoring/analytics on the real daemon (analytics-api §3): auth and
// methods, a 400 naming the field for each class of bad input, every section of a full request
// with its JSON type, a filter against the seeded counts, and keyset paging of the events.

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>
#include <cpamd/test/daemon.hpp>
#include <cstdint>
#include <fmt/format.h>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

using cpamd::test::running_daemon;
namespace json = boost::json;

namespace
{

const std::string admin_key = "cpamp_monitoringadminkey012345678";
const std::string path = "/v0/management/monitoring/analytics";
constexpr std::int64_t day_start_ms = 1'793'577'600'000; // 2026-11-02T00:00Z
constexpr std::int64_t day_ms = 24 * 3'600'000;
constexpr int seeded = 40;

std::map<std::string, std::string> admin()
{
    return {{"Authorization", "Bearer " + admin_key}, {"Content-Type", "application/json"}};
}

// Event i: every 5 minutes from 00:00Z; every 4th is the mini model, every 10th failed.
bool is_mini(int i)
{
    return i % 4 == 0;
}

std::string record(int i)
{
    const int minute = i * 5;
    return fmt::format(
        R"({{"timestamp":"2026-11-02T{:02}:{:02}:00Z","provider":"codex","model":"{}","api_key":"sk-{}",)"
        R"("auth_index":"00000000000000a{}","endpoint":"POST /v1/responses","auth_type":"oauth",)"
        R"("request_id":"{:08x}","failed":{},"latency_ms":{},)"
        R"("tokens":{{"input_tokens":100,"output_tokens":10,"total_tokens":110}}}})",
        minute / 60,
        minute % 60,
        is_mini(i) ? "gpt-5.4-mini" : "gpt-5.5",
        i % 2,
        i % 3,
        i,
        i % 10 == 0 ? "true" : "false",
        100 + i
    );
}

json::object day_request()
{
    return json::object{{"from_ms", day_start_ms}, {"to_ms", day_start_ms + day_ms}, {"time_zone", "UTC"}};
}

json::object post(cpamd::test::http_client& c, const json::object& body)
{
    auto r = c.request("POST", path, json::serialize(body), admin());
    INFO(r.body);
    REQUIRE(r.status == 200);
    return json::parse(r.body).as_object();
}

// A copy of `base` with body[section][key] = value.
json::object with(json::object base, std::string_view section, std::string_view key, json::value value)
{
    if (section.empty())
        base[key] = std::move(value);
    else
        base[section].as_object()[key] = std::move(value);
    return base;
}

json::object full_include()
{
    json::object inc;
    for (const auto* flag :
         {"summary",
          "summary_percentiles",
          "summary_comparison",
          "timeline",
          "hourly_distribution",
          "heatmap",
          "anomaly_points",
          "model_share",
          "model_stats",
          "channel_share",
          "failure_sources",
          "account_stats",
          "credential_stats",
          "credential_timeline",
          "api_key_stats",
          "api_key_timeline",
          "filter_options",
          "filter_selectors",
          "task_buckets"})
        inc[flag] = true;
    inc["summary_profile"] = "full";
    inc["granularity"] = "hour";
    inc["recent_failures"] = 5;
    inc["events_page"] = json::object{{"limit", 10}, {"before_ms", nullptr}, {"before_id", nullptr}};
    inc["drilldown_preview"] =
        json::object{{"from_ms", day_start_ms}, {"to_ms", day_start_ms + 3'600'000}, {"limit", 5}};
    return inc;
}

} // namespace

TEST_CASE("monitoring analytics through the daemon", "[daemon][monitoring]")
{
    running_daemon d({{"CPA_MANAGER_ADMIN_KEY", admin_key}});
    auto c = d.client();
    std::string records;
    for (int i = 0; i < seeded; ++i)
        records += record(i) + "\n";
    REQUIRE(c.request("POST", "/v0/management/usage/import", records, admin()).status == 200);

    SECTION("auth, methods and body size")
    {
        const auto body = json::serialize(day_request());
        CHECK(c.request("POST", path, body, {{"Content-Type", "application/json"}}).status == 401);
        auto get = c.request("GET", path, {}, admin());
        CHECK(get.status == 405);
        CHECK(json::parse(get.body).as_object().contains("code"));
        // The whole family is cpamd's: unserved sub-paths are 405, never forwarded to CPA.
        CHECK(c.request("POST", "/v0/management/monitoring/overview", "{}", admin()).status == 405);
        // Refused on the declared length, before any of the body is read.
        auto raw = d.client();
        raw.send_raw(fmt::format(
            "POST {} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\nContent-Length: {}\r\n\r\n",
            path,
            admin_key,
            (1 << 20) + 1
        ));
        CHECK(raw.read_raw().rfind("HTTP/1.1 413", 0) == 0);
    }

    SECTION("bad input is 400 with a code naming the field")
    {
        const auto base = day_request();
        const auto inc = [&](std::string_view key, json::value v)
        { return with(with(base, "", "include", json::object{}), "include", key, std::move(v)); };
        const auto filter = [&](std::string_view key, json::value v)
        { return with(with(base, "", "filters", json::object{}), "filters", key, std::move(v)); };
        json::object missing_from = base;
        missing_from.erase("from_ms");
        const std::vector<std::pair<std::string, std::string>> cases{
            {"{\"from_ms\":", "invalid_json"},
            {"[1,2]", "invalid_json"},
            {json::serialize(missing_from), "invalid_from_ms"},
            {json::serialize(with(base, "", "from_ms", "1")), "invalid_from_ms"},
            {json::serialize(with(base, "", "to_ms", day_start_ms)), "invalid_to_ms"},
            {json::serialize(with(base, "", "time_zone", "Mars/Olympus_Mons")), "invalid_time_zone"},
            {json::serialize(with(base, "", "search_query", json::string(201, 'x'))), "invalid_search_query"},
            {json::serialize(filter("models", json::array{"gpt-5.5", 7})), "invalid_filters.models"},
            {json::serialize(filter("providers", "codex")), "invalid_filters.providers"},
            {json::serialize(filter("cache_status", "warm")), "invalid_filters.cache_status"},
            {json::serialize(filter("min_latency_ms", -1)), "invalid_filters.min_latency_ms"},
            {json::serialize(inc("summary", "yes")), "invalid_include.summary"},
            {json::serialize(inc("granularity", "week")), "invalid_include.granularity"},
            {json::serialize(inc("recent_failures", 101)), "invalid_include.recent_failures"},
            {json::serialize(inc("events_page", json::object{{"limit", 50'001}})),
             "invalid_include.events_page.limit"},
            {json::serialize(
                 inc("drilldown_preview",
                     json::object{{"from_ms", day_start_ms}, {"to_ms", day_start_ms + 1}, {"limit", 101}})
             ),
             "invalid_include.drilldown_preview.limit"},
            {json::serialize(inc("drilldown_preview", json::object{{"to_ms", day_start_ms}})),
             "invalid_include.drilldown_preview.from_ms"},
        };
        for (const auto& [body, code] : cases)
        {
            INFO(body);
            auto r = c.request("POST", path, body, admin());
            CHECK(r.status == 400);
            auto e = json::parse(r.body).as_object();
            CHECK(e.at("code").as_string() == code);
            if (code != "invalid_json") // the message names the field's path
                CHECK(std::string(e.at("error").as_string()).find(code.substr(8)) != std::string::npos);
        }
    }

    SECTION("every section of a full request, with its type")
    {
        auto body = with(day_request(), "", "time_zone", "Asia/Shanghai");
        body["now_ms"] = day_start_ms + 4 * 3'600'000;
        body["include"] = full_include();
        auto v = post(c, body);
        CHECK(v.at("generated_at_ms").is_int64());
        CHECK(v.at("from_ms").as_int64() == day_start_ms);
        CHECK(v.at("to_ms").as_int64() == day_start_ms + day_ms);
        CHECK(v.at("time_zone").as_string() == "Asia/Shanghai");
        CHECK(v.at("granularity").as_string() == "hour");
        for (const auto* key :
             {"summary",
              "summary_comparison",
              "filter_options",
              "filter_selectors",
              "events",
              "drilldown_preview"})
        {
            INFO(key);
            CHECK(v.contains(key));
            CHECK(v[key].is_object());
        }
        for (const auto* key :
             {"timeline",
              "hourly_distribution",
              "heatmap",
              "anomaly_points",
              "model_share",
              "model_stats",
              "channel_share",
              "failure_sources",
              "account_stats",
              "credential_stats",
              "credential_timeline",
              "api_key_stats",
              "api_key_timeline",
              "task_buckets",
              "recent_failures"})
        {
            INFO(key);
            CHECK(v.contains(key));
            CHECK(v[key].is_array());
        }
        const auto& s = v.at("summary").as_object();
        CHECK(s.at("total_calls").as_int64() == seeded);
        CHECK(s.at("calls").as_int64() == seeded);
        CHECK(s.at("failure_calls").as_int64() == 4);
        CHECK(s.at("success_calls").as_int64() == seeded - 4);
        CHECK(s.at("total_tokens").as_int64() == seeded * 110);
        CHECK(s.at("total_cost").is_number());
        CHECK(s.at("average_latency_ms").is_number());
        CHECK(s.at("zero_token_models").is_array());
        CHECK(v.at("timeline").as_array().size() == 24);
        CHECK(v.at("hourly_distribution").as_array().size() == 24);
        CHECK(v.at("heatmap").as_array().size() == 168);
        CHECK(v.at("model_stats").as_array().size() == 2);
        for (const auto& f : v.at("recent_failures").as_array())
            CHECK(f.at("failed").as_bool());
        const auto& events = v.at("events").as_object();
        CHECK(events.at("items").as_array().size() == 10);
        CHECK(events.at("has_more").as_bool());
        CHECK(events.at("total_count").as_int64() == seeded);
        CHECK(events.at("next_before_ms").is_int64());
        const auto& drill = v.at("drilldown_preview").as_object();
        CHECK(drill.at("items").as_array().size() == 5); // 12 events in the first hour
        CHECK(drill.at("total_count").as_int64() == 12);
        CHECK(v.at("filter_selectors").at("total_calls").as_int64() == seeded);
    }

    SECTION("sections not asked for are absent")
    {
        auto v = post(c, with(day_request(), "", "include", json::object{{"summary", true}}));
        CHECK(v.contains("summary"));
        for (const auto* key : {"timeline", "events", "heatmap", "summary_comparison", "drilldown_preview"})
        {
            INFO(key);
            CHECK_FALSE(v.contains(key));
        }
    }

    SECTION("a model filter counts that model's events only")
    {
        int mini = 0;
        for (int i = 0; i < seeded; ++i)
            mini += is_mini(i) ? 1 : 0;
        auto body = day_request();
        body["filters"] = json::object{{"models", json::array{"gpt-5.4-mini"}}, {"unknown_future_key", 1}};
        body["include"] = json::object{{"summary", true}, {"events_page", json::object{}}};
        auto v = post(c, body);
        CHECK(v.at("summary").at("total_calls").as_int64() == mini);
        CHECK(v.at("events").at("total_count").as_int64() == mini);
        for (const auto& e : v.at("events").at("items").as_array())
            CHECK(e.at("model").as_string() == "gpt-5.4-mini");
    }

    SECTION("events pages follow the keyset with no overlap")
    {
        std::set<std::int64_t> seen;
        json::value before_ms = nullptr, before_id = nullptr;
        std::pair<std::int64_t, std::int64_t> last{INT64_MAX, INT64_MAX};
        int pages = 0;
        for (bool more = true; more; ++pages)
        {
            REQUIRE(pages < 10);
            auto body = day_request();
            body["include"] = json::object{
                {"events_page",
                 json::object{{"limit", 15}, {"before_ms", before_ms}, {"before_id", before_id}}}};
            const auto events = post(c, body).at("events").as_object();
            for (const auto& item : events.at("items").as_array())
            {
                const std::pair key{item.at("timestamp_ms").as_int64(), item.at("id").as_int64()};
                CHECK(key < last); // strictly older than everything before, pages included
                last = key;
                CHECK(seen.insert(key.second).second);
            }
            more = events.at("has_more").as_bool();
            before_ms = events.at("next_before_ms");
            before_id = events.at("next_before_id");
        }
        CHECK(pages == 3);
        CHECK(seen.size() == static_cast<std::size_t>(seeded));
    }
}
