// A full data directory: the collector must not take from CPA what it cannot spool. It stops
// popping and unsubscribes, says so in /status, leaves the records in CPA's queue, and resumes by
// itself when space returns, storing every record exactly once.
//
// Runs on a tmpfs of its own (mount needs root; the case is skipped with a warning otherwise).

#include "collector_fixture.hpp"

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <thread>
#include <unistd.h>

using namespace cpamd::test;
using namespace std::chrono_literals;

namespace
{

// A tmpfs mounted on `dir` for the object's life.
class tmpfs_mount
{
public:
    tmpfs_mount(std::filesystem::path dir, const std::string& size) : dir_(std::move(dir))
    {
        std::filesystem::create_directories(dir_);
        auto cmd = "mount -t tmpfs -o size=" + size + ",mode=0700 tmpfs '" + dir_.string() + "'";
        mounted_ = std::system(cmd.c_str()) == 0;
    }
    ~tmpfs_mount()
    {
        if (!mounted_)
            return;
        auto cmd = "umount '" + dir_.string() + "' 2>/dev/null || umount -l '" + dir_.string() + "'";
        if (std::system(cmd.c_str()) != 0)
            std::fprintf(stderr, "could not unmount %s\n", dir_.c_str());
    }
    tmpfs_mount(const tmpfs_mount&) = delete;
    tmpfs_mount& operator=(const tmpfs_mount&) = delete;
    bool mounted() const { return mounted_; }

private:
    std::filesystem::path dir_;
    bool mounted_ = false;
};

// Writes `file` until the file system refuses more. Returns the bytes written.
std::uint64_t fill(const std::filesystem::path& file)
{
    int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    REQUIRE(fd >= 0);
    std::string chunk(1 << 20, 'f');
    std::uint64_t total = 0;
    for (std::size_t size = chunk.size(); size > 0;)
    {
        auto n = ::write(fd, chunk.data(), size);
        if (n > 0)
            total += static_cast<std::uint64_t>(n);
        else
            size /= 2; // ENOSPC: top up the last pages with smaller writes
    }
    ::close(fd);
    return total;
}

bool wait_for_queue(traffic_sim& sim, std::int64_t depth, std::chrono::milliseconds timeout)
{
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline)
    {
        auto s = sim.stats();
        if (s.at("generator_done").as_bool() && s.at("queue_depth").as_int64() == depth)
            return true;
        std::this_thread::sleep_for(100ms);
    }
    return false;
}

ledger_counts wait_for_delivered(traffic_sim& sim, std::size_t n, std::chrono::milliseconds timeout)
{
    auto deadline = std::chrono::steady_clock::now() + timeout;
    auto ledger = read_ledger(sim.ledger());
    while (ledger.delivered.size() < n && std::chrono::steady_clock::now() < deadline)
    {
        std::this_thread::sleep_for(100ms);
        ledger = read_ledger(sim.ledger());
    }
    return ledger;
}

} // namespace

TEST_CASE("disk full: nothing is popped while the spool cannot be written, all arrives once space returns")
{
    if (::geteuid() != 0)
    {
        WARN("skipped: mounting the test's tmpfs needs root");
        return;
    }
    constexpr int total = 3000;
    temp_dir dir;
    tmpfs_mount mount(data_dir_of(dir), "160m"); // above the 64 MiB reserve
    REQUIRE(mount.mounted());
    traffic_sim sim({"--rate", "1000", "--total", std::to_string(total), "--seed", "21", "--paused"});
    auto d = start_daemon(dir, collector_env(sim, "auto"));
    REQUIRE(wait_for_collector(*d, "activeTransport", "subscribe", 20s));

    const auto filler = data_dir_of(dir) / "filler";
    fill(filler);
    // The collector notices, unsubscribes and stops popping.
    CHECK(wait_for_collector(*d, "collector", "error", 10s));
    auto st = collector_status(*d);
    INFO("lastError: " << string_field(st, "lastError"));
    CHECK(string_field(st, "lastError").find("free") != std::string::npos);
    CHECK(string_field(st, "activeTransport").empty());

    // Traffic while the disk is full stays in CPA's queue: nothing popped, nothing lost.
    REQUIRE(sim.control("POST", "/_sim/resume").status == 200);
    CHECK(wait_for_queue(sim, total, 20s));
    auto ledger = read_ledger(sim.ledger());
    CHECK(ledger.produced.size() == total);
    CHECK(ledger.delivered.empty());
    CHECK(ledger.lost.empty());
    CHECK(collector_status(*d).at("collector").as_string() == "error");

    // Space returns: collection resumes by itself, and every record is stored exactly once.
    std::filesystem::remove(filler);
    ledger = wait_for_delivered(sim, total, 30s);
    CHECK(ledger.delivered.size() == total);
    CHECK(ledger.lost.empty());
    CHECK(ledger.expired.empty());
    auto db = data_dir_of(dir) / "usage.sqlite";
    CHECK(wait_for_events(db, total, 30s) == total);
    CHECK(count_rows(db, "rejects") == 0);
    CHECK(wait_for_collector(*d, "collector", "running", 10s));
    // The stale errors are gone: the collector's and the writer's.
    auto deadline = std::chrono::steady_clock::now() + 10s;
    auto status = daemon_status(*d);
    while ((status.at("collector").as_object().contains("lastError") ||
            !string_field(status.at("store").as_object(), "lastError").empty()) &&
           std::chrono::steady_clock::now() < deadline)
    {
        std::this_thread::sleep_for(100ms);
        status = daemon_status(*d);
    }
    CHECK(string_field(status.at("collector").as_object(), "lastError").empty());
    CHECK(string_field(status.at("store").as_object(), "lastError").empty());
    CHECK(status.at("collector").as_object().at("lostRecords").as_int64() == 0);
    stop_daemon(*d);
}
