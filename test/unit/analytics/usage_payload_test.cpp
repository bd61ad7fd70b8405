// The compatible /usage payload: exact shape, key order, grouping, ordering and the window.

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>
#include <cpamd/analytics/usage_detail.hpp>
#include <cpamd/analytics/usage_payload.hpp>
#include <cpamd/store/database.hpp>
#include <cpamd/store/store.hpp>
#include <cpamd/test/temp_dir.hpp>
#include <cpamd/test/temp_store.hpp>
#include <cpamd/usage/parse_record.hpp>
#include <fmt/format.h>

using namespace cpamd;

namespace
{

usage::event parse(const std::string& rec)
{
    usage::parse_options o;
    o.now = usage::utc_time{1778025600, 0};
    auto r = usage::parse_record(rec, o);
    REQUIRE(r.has_value());
    return *r;
}

struct fixture : test::temp_store
{
    std::string payload(std::int64_t window, std::size_t budget = 1 << 16)
    {
        auto c = store::open_reader(dir / "usage.sqlite");
        c.exec("BEGIN");
        analytics::usage_payload p(c, window);
        std::string out;
        while (p.next(out, out.size() + budget))
        {
        }
        return out;
    }
};

} // namespace

TEST_CASE("an empty database gives zeros and empty apis", "[usage_payload]")
{
    fixture f;
    CHECK(
        f.payload(50000) ==
        "{\"total_requests\":0,\"success_count\":0,\"failure_count\":0,\"total_tokens\":0,\"apis\":{}}\n"
    );
}

TEST_CASE("the spec example comes out byte for byte", "[usage_payload]")
{
    fixture f;
    f.write({
        parse(
            R"J({"timestamp":"2026-05-06T00:00:01Z","source":"alice@example.com","auth_index":"a1","latency_ms":812,
                  "alias":"gpt-5(high)","model":"gpt-5","endpoint":"POST /v1/chat/completions","request_id":"x1",
                  "client_ip":"1.2.3.4","user_agent":"curl/8",
                  "tokens":{"input_tokens":10,"output_tokens":20,"total_tokens":30},"failed":false})J"
        ),
        parse(R"({"timestamp":"2026-05-06T00:00:00Z","source":"alice@example.com","auth_index":"a1",
                  "model":"gpt-5","endpoint":"POST /v1/chat/completions","request_id":"x2",
                  "tokens":{"input_tokens":5,"output_tokens":0,"total_tokens":5},"failed":true,
                  "fail":{"status_code":500,"body":"upstream <broke> & died"}})"),
    });
    auto body = f.payload(50000);
    CHECK(
        body ==
        "{\"total_requests\":2,\"success_count\":1,\"failure_count\":1,\"total_tokens\":35,"
        "\"apis\":{\"POST /v1/chat/completions\":{\"models\":{\"gpt-5\":{\"details\":["
        "{\"timestamp\":\"2026-05-06T00:00:01Z\",\"source\":\"ali***@example.com\",\"auth_index\":\"a1\","
        "\"latency_ms\":812,\"requested_model\":\"gpt-5(high)\",\"resolved_model\":\"gpt-5\","
        "\"tokens\":{\"input_tokens\":10,\"output_tokens\":20,\"reasoning_tokens\":0,\"cached_tokens\":0,"
        "\"cache_tokens\":0,\"cache_read_tokens\":0,\"cache_creation_tokens\":0,\"total_tokens\":30},"
        "\"failed\":false},"
        "{\"timestamp\":\"2026-05-06T00:00:00Z\",\"source\":\"ali***@example.com\",\"auth_index\":\"a1\","
        "\"requested_model\":\"gpt-5\",\"resolved_model\":\"gpt-5\","
        "\"tokens\":{\"input_tokens\":5,\"output_tokens\":0,\"reasoning_tokens\":0,\"cached_tokens\":0,"
        "\"cache_tokens\":0,\"cache_read_tokens\":0,\"cache_creation_tokens\":0,\"total_tokens\":5},"
        "\"failed\":true,\"fail_status_code\":500,\"fail_summary\":\"upstream \\u003cbroke\\u003e \\u0026 "
        "died\"}"
        "]}}}}}\n"
    );
    CHECK(body.find("1.2.3.4") == std::string::npos);
    CHECK(body.find("curl") == std::string::npos);
}

TEST_CASE("groups sort by endpoint then model, details newest first, window bounded", "[usage_payload]")
{
    fixture f;
    std::vector<usage::event> evs;
    const char* endpoints[] = {"POST /v1/responses", "POST /v1/messages", ""};
    const char* models[] = {"gpt-5(high)", "claude-sonnet-4-5", "gpt-5", "Zed", "gemini-2.5-pro(8192)"};
    for (int i = 0; i < 60; ++i)
        evs.push_back(parse(fmt::format(
            R"({{"timestamp":{},"model":"{}","endpoint":"{}","request_id":"q{}","failed":{},)"
            R"("tokens":{{"input_tokens":{},"cached_tokens":7,"cache_read_tokens":2,"cache_creation_tokens":1,"total_tokens":{}}}}})",
            1778025600 + i / 2, // pairs share a second: id decides
            models[i % 5],
            endpoints[i % 3],
            i,
            i % 4 == 0 ? "true" : "false",
            i,
            i * 2
        )));
    f.write(evs);

    auto body = f.payload(50);
    auto v = boost::json::parse(body).as_object();
    CHECK(v.at("total_requests").as_int64() == 50);
    std::int64_t tokens = 0, failures = 0;
    for (int i = 10; i < 60; ++i)
    {
        tokens += i * 2;
        failures += i % 4 == 0;
    }
    CHECK(v.at("total_tokens").as_int64() == tokens);
    CHECK(v.at("failure_count").as_int64() == failures);
    CHECK(v.at("success_count").as_int64() == 50 - failures);

    std::vector<std::string> eps;
    std::size_t details = 0;
    for (const auto& [ep, epv] : v.at("apis").as_object())
    {
        eps.emplace_back(ep);
        std::vector<std::string> ms;
        for (const auto& [m, mv] : epv.as_object().at("models").as_object())
        {
            ms.emplace_back(m);
            std::string last_ts = "9999";
            for (const auto& d : mv.as_object().at("details").as_array())
            {
                std::string ts(d.as_object().at("timestamp").as_string());
                CHECK(ts <= last_ts);
                last_ts = ts;
                // c = max(7, 0) = 7, f = 2 + 1 = 3 -> 4
                CHECK(d.as_object().at("tokens").as_object().at("cached_tokens").as_int64() == 4);
                CHECK(d.as_object().at("tokens").as_object().at("cache_tokens").as_int64() == 4);
                ++details;
            }
        }
        CHECK(std::is_sorted(ms.begin(), ms.end()));
        // analytics model: "gpt-5(high)" folds into "gpt-5", "(8192)" too
        for (const auto& m : ms)
            CHECK(m.find('(') == std::string::npos);
    }
    CHECK(details == 50);
    CHECK(std::is_sorted(eps.begin(), eps.end()));
    CHECK(std::find(eps.begin(), eps.end(), "-") != eps.end());

    // Pieces of any size join into the same body.
    CHECK(f.payload(50, 1) == body);
    CHECK(f.payload(50, 300) == body);
    CHECK(analytics::usage_window(0) == 50000);
    CHECK(analytics::usage_window(70000) == 50000);
    CHECK(analytics::usage_window(10) == 10);
}

TEST_CASE("a detail carries response_model and stream when the record had them", "[usage_payload]")
{
    auto ev = parse(R"({"timestamp":"2026-05-06T00:00:01Z","source":"p","model":"gpt-5",
        "response_model":"gpt-5-2025-08-07","service_tier":"auto","response_service_tier":"default",
        "stream":false,"tokens":{"input_tokens":1},"failed":false})");
    std::string out;
    analytics::append_usage_detail(out, ev);
    CHECK(
        out ==
        "{\"timestamp\":\"2026-05-06T00:00:01Z\",\"source\":\"p\",\"requested_model\":\"gpt-5\","
        "\"resolved_model\":\"gpt-5\",\"response_model\":\"gpt-5-2025-08-07\",\"service_tier\":\"default\","
        "\"request_service_tier\":\"auto\",\"response_service_tier\":\"default\",\"stream\":false,"
        "\"tokens\":{\"input_tokens\":1,\"output_tokens\":0,\"reasoning_tokens\":0,\"cached_tokens\":0,"
        "\"cache_tokens\":0,\"cache_read_tokens\":0,\"cache_creation_tokens\":0,\"total_tokens\":1},"
        "\"failed\":false}"
    );
    // Older records: both keys left out.
    auto old = parse(R"({"timestamp":"2026-05-06T00:00:01Z","model":"gpt-5","failed":false})");
    out.clear();
    analytics::append_usage_detail(out, old);
    CHECK(out.find("response_model") == std::string::npos);
    CHECK(out.find("stream") == std::string::npos);
    ev.stream = true;
    out.clear();
    analytics::append_usage_detail(out, ev);
    CHECK(out.find("\"stream\":true,") != std::string::npos);
}
