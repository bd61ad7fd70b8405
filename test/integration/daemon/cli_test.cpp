// The command line: version, help, check-config and configuration errors.

#include <catch2/catch.hpp>
#include <cpamd/test/child_process.hpp>
#include <cpamd/test/temp_dir.hpp>
#include <fstream>

using namespace std::chrono_literals;
using cpamd::test::child_process;
using cpamd::test::process_options;

namespace
{

struct run_result
{
    int code;
    std::string output;
};

run_result run_cpamd(std::vector<std::string> args, std::map<std::string, std::string> env = {})
{
    cpamd::test::temp_dir dir;
    process_options o;
    o.args = std::move(args);
    o.env = std::move(env);
    o.env.try_emplace("USAGE_DATA_DIR", (dir / "data").string());
    o.cwd = dir.path();
    o.unset_env = {"CPA_MANAGER_CONFIG", "CPA_UPSTREAM_URL", "CPA_MANAGEMENT_KEY"};
    child_process p(cpamd::test::bin_dir() / "cpamd", o);
    auto code = p.wait(10s);
    REQUIRE(code);
    return {*code, p.output()};
}

} // namespace

TEST_CASE("cpamd version prints the version", "[cli]")
{
    auto r = run_cpamd({"version"});
    CHECK(r.code == 0);
    CHECK(r.output.rfind("cpamd " CPAMD_VERSION "\n", 0) == 0);
    CHECK(run_cpamd({"--version"}).output.rfind("cpamd ", 0) == 0);
}

TEST_CASE("--help works for the program and each command", "[cli]")
{
    auto r = run_cpamd({"--help"});
    CHECK(r.code == 0);
    for (const char* cmd : {"serve", "check-config", "version"})
    {
        CAPTURE(cmd);
        CHECK(r.output.find(cmd) != std::string::npos);
        auto sub = run_cpamd({cmd, "--help"});
        CHECK(sub.code == 0);
        CHECK(sub.output.find(std::string("Usage: cpamd")) != std::string::npos);
    }
    // Every command stands apart from its summary, the longest too.
    for (const char* cmd : {"reset-admin-key", "check-config", "backup", "restore", "import", "export"})
    {
        CAPTURE(cmd);
        CHECK(r.output.find(std::string("\n  ") + cmd + "  ") != std::string::npos);
    }
    CHECK(run_cpamd({"frobnicate"}).code == 2);
    CHECK(run_cpamd({"--bogus"}).code == 2);
    CHECK(run_cpamd({"version", "extra"}).code == 2);
}

TEST_CASE("check-config prints settings with their origin and hides secrets", "[cli]")
{
    auto r = run_cpamd(
        {"check-config"},
        {{"USAGE_BATCH_SIZE", "250"},
         {"CPA_UPSTREAM_URL", "http://cpa:8317"},
         {"CPA_MANAGEMENT_KEY", "very-secret-123"}}
    );
    CHECK(r.code == 0);
    CHECK(r.output.find("USAGE_BATCH_SIZE") != std::string::npos);
    CHECK(r.output.find("250") != std::string::npos);
    CHECK(r.output.find("[env]") != std::string::npos);
    CHECK(r.output.find("[default]") != std::string::npos);
    CHECK(r.output.find("very-secret-123") == std::string::npos);
    CHECK(r.output.find("configuration is valid") != std::string::npos);
}

TEST_CASE("an invalid setting is one line naming the variable, exit code 2", "[cli]")
{
    for (auto [var, value] : std::vector<std::pair<std::string, std::string>>{
             {"HTTP_ADDR", "not-an-address"},
             {"USAGE_COLLECTOR_MODE", "carrier-pigeon"},
             {"USAGE_POLL_INTERVAL_MS", "fast"},
         })
    {
        CAPTURE(var);
        for (const char* cmd : {"check-config", "serve"})
        {
            auto r = run_cpamd({cmd}, {{var, value}});
            CHECK(r.code == 2);
            CHECK(r.output.find(var) != std::string::npos);
            CHECK(std::count(r.output.begin(), r.output.end(), '\n') == 1);
        }
    }
}

TEST_CASE("--config reads the named file", "[cli]")
{
    cpamd::test::temp_dir dir;
    std::ofstream(dir / "c.json") << R"({"batchSize": 321, "collectorMode": "http"})";
    auto r = run_cpamd({"--config", (dir / "c.json").string(), "check-config"});
    CHECK(r.code == 0);
    CHECK(r.output.find("321") != std::string::npos);
    CHECK(r.output.find("[file]") != std::string::npos);

    std::ofstream(dir / "bad.json") << R"({"collectorMode": "nope"})";
    r = run_cpamd({"--config", (dir / "bad.json").string(), "check-config"});
    CHECK(r.code == 2);
    CHECK(r.output.find("collectorMode") != std::string::npos);
}
