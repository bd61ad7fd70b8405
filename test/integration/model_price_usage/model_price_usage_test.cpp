// GET /v0/management/model-prices/usage-summary on the real daemon (spec manager-api §5.10):
// requested and resolved call counts per model, from the rollups, over the newest whole hours that
// hold queryLimit events; and /status's contextBands block.

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>
#include <cpamd/test/daemon.hpp>
#include <fmt/format.h>
#include <map>

using cpamd::test::running_daemon;
namespace json = boost::json;

namespace
{

const std::string admin_key = "cpamp_usagesummaryadminkey0123456";

std::map<std::string, std::string> admin()
{
    return {{"Authorization", "Bearer " + admin_key}, {"Content-Type", "application/json"}};
}

// A raw CPA record (v7.3 shape when response_model is given) at hour `hour` of 2026-11-02.
std::string
record(int i, int hour, const std::string& alias, const std::string& model, const std::string& response)
{
    std::string extra =
        response.empty() ? "" : fmt::format(R"(,"response_model":"{}","stream":true)", response);
    return fmt::format(
        R"({{"timestamp":"2026-11-02T{:02}:{:02}:{:02}Z","provider":"codex","model":"{}","alias":"{}",)"
        R"("endpoint":"POST /v1/responses","auth_type":"oauth","request_id":"{:08x}","failed":false,)"
        R"("tokens":{{"input_tokens":100,"output_tokens":10,"total_tokens":110}}{}}})",
        hour,
        i / 60 % 60,
        i % 60,
        model,
        alias,
        i,
        extra
    );
}

std::map<std::string, std::array<std::int64_t, 3>> models_of(const json::value& v)
{
    std::map<std::string, std::array<std::int64_t, 3>> out;
    for (const auto& m : v.at("models").as_array())
        out[std::string(m.at("model").as_string())] = {
            m.at("calls").as_int64(), m.at("requested_calls").as_int64(), m.at("resolved_calls").as_int64()};
    return out;
}

} // namespace

TEST_CASE("usage summary: requested and resolved models from the rollups", "[daemon][model-prices]")
{
    // queryLimit 30: the newest hour (25 events) is not enough, the two newest (45) are.
    running_daemon d({{"CPA_MANAGER_ADMIN_KEY", admin_key}, {"USAGE_QUERY_LIMIT", "30"}});
    auto c = d.client();
    std::string body;
    int n = 0;
    for (int i = 0; i < 10; ++i) // hour 5: only in the total
        body += record(n++, 5, "old-model", "old-model", "") + "\n";
    for (int i = 0; i < 20; ++i) // hour 6: an alias served by gpt-5.5
        body += record(n++, 6, "my-alias", "gpt-5.5", "") + "\n";
    for (int i = 0; i < 25; ++i) // hour 7: gpt-5.5 asked for, a dated variant answered
        body += record(n++, 7, "gpt-5.5", "gpt-5.5", i < 15 ? "gpt-5.5-2026-10-01" : "") + "\n";
    auto imported = c.request("POST", "/v0/management/usage/import", body, admin());
    REQUIRE(imported.status == 200);

    auto r = c.request("GET", "/v0/management/model-prices/usage-summary", {}, admin());
    REQUIRE(r.status == 200);
    auto v = json::parse(r.body);
    CHECK(v.at("total_events").as_int64() == 55);
    CHECK(v.at("sampled_events").as_int64() == 45);
    CHECK(v.at("truncated").as_bool());
    auto models = models_of(v);
    CHECK(models.count("old-model") == 0);
    // my-alias: requested 20 times, never the billing model.
    CHECK(models["my-alias"] == std::array<std::int64_t, 3>{20, 20, 0});
    // gpt-5.5: requested 25, billed 20 (alias) + 10 (no response_model); 45 distinct events.
    CHECK(models["gpt-5.5"] == std::array<std::int64_t, 3>{45, 25, 30});
    CHECK(models["gpt-5.5-2026-10-01"] == std::array<std::int64_t, 3>{15, 0, 15});
    // Most calls first.
    CHECK(v.at("models").as_array().at(0).at("model").as_string() == "gpt-5.5");

    SECTION("auth and methods")
    {
        CHECK(c.request("GET", "/v0/management/model-prices/usage-summary", {}, {}).status == 401);
        auto wrong = c.request("POST", "/v0/management/model-prices/usage-summary", "{}", admin());
        CHECK(wrong.status == 405);
        CHECK(json::parse(wrong.body).as_object().contains("code"));
    }
    SECTION("/status says whether the rollups' context bands are current")
    {
        auto s = c.request("GET", "/status", {}, admin());
        REQUIRE(s.status == 200);
        auto bands = json::parse(s.body).at("contextBands");
        CHECK(bands.at("status").as_string() == "current");
        CHECK(bands.at("thresholds").as_array().size() == 1); // the legacy 272,000 alone
        CHECK(bands.at("thresholds").as_array().at(0).as_int64() == 272000);
    }
}
