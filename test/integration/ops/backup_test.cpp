// Backups against the real daemon while it collects from cpa-sim: `cpamd backup` during
// ingestion, `cpamd restore`, and scheduled backups with retention.

#include "ops_fixture.hpp"
#include "setup_fixture.hpp"

#include <catch2/catch.hpp>
#include <fstream>
#include <regex>
#include <thread>

using namespace std::chrono_literals;
namespace fs = std::filesystem;
using namespace cpamd::test;

namespace
{

const std::string admin_key = "cpamp_backuptestadminkey0123456789";

std::map<std::string, std::string> collecting_from(const sim_process& sim)
{
    return {
        {"CPA_UPSTREAM_URL", sim.url()},
        {"CPA_MANAGEMENT_KEY", sim_management_key},
        {"CPA_MANAGER_ADMIN_KEY", admin_key},
        {"USAGE_COLLECTOR_MODE", "http"},
        {"USAGE_POLL_INTERVAL_MS", "20"},
        {"USAGE_PLUGIN_DIR", CPAMD_PLUGIN_DIR}};
}

std::int64_t wait_for_events(const fs::path& db, std::int64_t n, std::chrono::milliseconds timeout)
{
    auto deadline = std::chrono::steady_clock::now() + timeout;
    std::int64_t have = 0;
    while (std::chrono::steady_clock::now() < deadline)
    {
        if (fs::exists(db) && (have = count_events(db)) >= n)
            return have;
        std::this_thread::sleep_for(50ms);
    }
    return have;
}

std::int64_t reported_events(const std::string& output)
{
    static const std::regex re(R"(backup written: .* \((\d+) events)");
    std::smatch m;
    return std::regex_search(output, m, re) ? std::stoll(m[1].str()) : -1;
}

std::string file_text(const fs::path& p)
{
    std::ifstream in(p);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

} // namespace

TEST_CASE("cpamd backup during ingestion equals the source at the backup moment; restore", "[ops][backup]")
{
    temp_dir dir;
    sim_process sim({"--usage-statistics-enabled", "true", "--rate", "1500", "--total", "60000"});
    auto daemon = start_daemon(dir, collecting_from(sim));
    const auto data = data_dir_of(dir);
    const auto db = data / "usage.sqlite";
    REQUIRE(wait_for_events(db, 2000, 30s) >= 2000);

    const auto out = dir / "backup.sqlite";
    auto b = run_cli(data, {"backup", "--out", out.string()});
    INFO(b.output);
    REQUIRE(b.code == 0);
    const auto in_backup = reported_events(b.output);
    REQUIRE(in_backup > 0);
    CHECK(count_events(out) == in_backup);
    CHECK(b.output.find("data key copied to " + out.string() + ".data.key") != std::string::npos);
    CHECK(file_text(out.string() + ".data.key") == file_text(data / "data.key"));

    // Ingestion went on after the copy, so the copy really was taken mid-stream.
    REQUIRE(wait_for_events(db, in_backup + 500, 30s) >= in_backup + 500);

    SECTION("the copy is the source's first rows, row for row")
    {
        const auto max_id = max_event_id(out);
        stop_daemon(*daemon);
        CHECK(count_events(db, max_id) == in_backup);
        CHECK(differing_events(db, out, max_id) == 0);
    }

    SECTION("restore refuses while the daemon runs, then brings the copy back")
    {
        auto refused = run_cli(data, {"restore", out.string()});
        CHECK(refused.code == 1);
        CHECK(refused.output.find("stop the daemon first") != std::string::npos);
        CHECK(count_events(db) > in_backup); // nothing changed

        stop_daemon(*daemon);
        auto r = run_cli(data, {"restore", out.string()});
        INFO(r.output);
        REQUIRE(r.code == 0);
        CHECK(r.output.find("restored " + std::to_string(in_backup) + " events") != std::string::npos);
        CHECK(count_events(db) == in_backup);

        // A different data key beside the backup is refused and changes nothing.
        std::ofstream(out.string() + ".data.key") << "c29tZSBvdGhlciBrZXkgdGhhdCBpcyAzMiBieXRlcyE\n";
        auto mismatch = run_cli(data, {"restore", out.string()});
        CHECK(mismatch.code == 1);
        CHECK(mismatch.output.find("differs from the backup's") != std::string::npos);
        CHECK(count_events(db) == in_backup);
    }
}

TEST_CASE("scheduled backups land in <data>/backups and old ones are pruned", "[ops][backup]")
{
    temp_dir dir;
    const auto backups = data_dir_of(dir) / "backups";
    fs::create_directories(backups);
    std::ofstream(backups / "usage-20000101T000000Z.sqlite") << "an ancient backup";
    auto d = start_daemon(
        dir, {{"BACKUP_INTERVAL", "1s"}, {"BACKUP_RETENTION_DAYS", "1"}, {"METRICS_ALLOW_LOOPBACK", "true"}}
    );
    auto deadline = std::chrono::steady_clock::now() + 15s;
    std::vector<fs::path> taken;
    while (taken.size() < 2 && std::chrono::steady_clock::now() < deadline)
    {
        taken.clear();
        for (const auto& e : fs::directory_iterator(backups))
            if (e.path().extension() == ".sqlite" && e.path().filename() != "usage-20000101T000000Z.sqlite")
                taken.push_back(e.path());
        std::this_thread::sleep_for(100ms);
    }
    REQUIRE(taken.size() >= 2);
    CHECK_FALSE(fs::exists(backups / "usage-20000101T000000Z.sqlite"));
    CHECK(count_events(taken.front()) == 0);
    auto m = d->client().get("/metrics");
    REQUIRE(m.status == 200);
    static const std::regex ok(R"(cpamd_backups_total\{result="ok"\} (\d+))");
    std::smatch match;
    REQUIRE(std::regex_search(m.body, match, ok));
    CHECK(std::stoi(match[1].str()) >= 2);
    CHECK(m.body.find("cpamd_backups_total{result=\"failed\"} 0\n") != std::string::npos);
}
