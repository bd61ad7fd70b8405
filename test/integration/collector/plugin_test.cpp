// The HTTP plugin loaded in-process: descriptor checks, and its I/O runs on the host's
// io_context (the sink is called on one of the io_context's threads).

#include "collector_fixture.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <catch2/catch.hpp>
#include <cpamd/collector/plugin_loader.hpp>
#include <mutex>
#include <set>
#include <thread>

using namespace cpamd;
using namespace cpamd::test;
using namespace std::chrono_literals;
namespace asio = boost::asio;

namespace
{

struct recording_sink final : collector_api::IEventSink
{
    asio::io_context* ioc = nullptr;
    std::mutex mutex;
    std::set<std::thread::id> pool_threads;
    std::vector<std::string> records;
    std::vector<std::string> vias;
    bool on_host_context = true;

    asio::awaitable<void> deliver(std::span<const std::string> rs, std::string_view via) override
    {
        std::lock_guard lock(mutex);
        on_host_context = on_host_context && ioc->get_executor().running_in_this_thread() &&
                          pool_threads.count(std::this_thread::get_id()) == 1;
        records.insert(records.end(), rs.begin(), rs.end());
        vias.emplace_back(via);
        co_return;
    }
    void subscribed() override {}
};

// The http plugin loaded in-process with one io_context thread, a recording sink, and a
// collector created for `base_url`; torn down in reverse.
struct http_plugin_rig
{
    asio::io_context ioc{1};
    asio::executor_work_guard<asio::io_context::executor_type> work = asio::make_work_guard(ioc);
    std::thread thread{[this] { ioc.run(); }};
    recording_sink sink;
    collector_api::collector_settings settings;
    const collector_api::collector_descriptor* descriptor = nullptr;
    collector_api::ICollector* collector = nullptr;

    explicit http_plugin_rig(const std::string& base_url)
    {
        sink.ioc = &ioc;
        sink.pool_threads.insert(thread.get_id());
        auto plugins = collector::load_plugins(CPAMD_PLUGIN_DIR);
        auto it =
            std::find_if(plugins.begin(), plugins.end(), [](const auto& p) { return p.name == "http"; });
        REQUIRE(it != plugins.end());
        descriptor = it->descriptor;
        settings.base_url = base_url;
        settings.management_key = sim_management_key;
        collector_api::collector_context ctx;
        ctx.executor = ioc.get_executor();
        ctx.settings = &settings;
        ctx.sink = &sink;
        collector = descriptor->create(ctx);
        REQUIRE(collector != nullptr);
    }
    ~http_plugin_rig()
    {
        if (collector)
            descriptor->destroy(collector);
        work.reset();
        thread.join();
    }

    collector_api::outcome pop(std::size_t count)
    {
        return asio::co_spawn(ioc, collector->pop(count), asio::use_future).get();
    }
};

} // namespace

TEST_CASE("the loader refuses a descriptor that differs in any field")
{
    auto ok = collector_api::make_descriptor("x", nullptr, nullptr);
    ok.create = [](const collector_api::collector_context&) -> collector_api::ICollector* { return nullptr; };
    ok.destroy = [](collector_api::ICollector*) {};
    CHECK(collector::descriptor_mismatch(ok).empty());
    auto bad = ok;
    bad.abi_version += 1;
    CHECK(collector::descriptor_mismatch(bad).find("abi_version") != std::string::npos);
    bad = ok;
    bad.struct_size -= 8;
    CHECK(collector::descriptor_mismatch(bad).find("struct_size") != std::string::npos);
    bad = ok;
    bad.boost_version -= 100;
    CHECK(collector::descriptor_mismatch(bad).find("boost_version") != std::string::npos);
    bad = ok;
    bad.compiler += 1;
    CHECK(collector::descriptor_mismatch(bad).find("compiler") != std::string::npos);
}

TEST_CASE("the http plugin pops over the daemon's own io_context")
{
    temp_dir dir;
    traffic_sim sim({"--rate", "0"});
    std::string body;
    for (int i = 0; i < 5; ++i)
        body += R"({"timestamp":"2026-01-01T00:00:0)" + std::to_string(i) +
                R"(Z","model":"m","tokens":{"input_tokens":1}})" + "\n";
    body += "not json at all\n";
    REQUIRE(sim.control("POST", "/_sim/enqueue?split=lines&force=true", body).status == 200);

    auto plugins = collector::load_plugins(CPAMD_PLUGIN_DIR);
    auto it = std::find_if(plugins.begin(), plugins.end(), [](const auto& p) { return p.name == "http"; });
    REQUIRE(it != plugins.end());
    // Loaded once: a second load returns the same descriptor without reopening.
    auto again = collector::load_plugins(CPAMD_PLUGIN_DIR);
    CHECK(
        std::find_if(
            again.begin(), again.end(), [&](const auto& p) { return p.descriptor == it->descriptor; }
        ) != again.end()
    );

    asio::io_context ioc(2);
    auto work = asio::make_work_guard(ioc);
    recording_sink sink;
    sink.ioc = &ioc;
    std::vector<std::thread> threads;
    for (int i = 0; i < 2; ++i)
        threads.emplace_back([&] { ioc.run(); });
    {
        std::lock_guard lock(sink.mutex);
        for (auto& t : threads)
            sink.pool_threads.insert(t.get_id());
    }

    collector_api::collector_settings settings;
    settings.base_url = sim.url();
    settings.management_key = sim_management_key;
    collector_api::collector_context ctx;
    ctx.executor = ioc.get_executor();
    ctx.settings = &settings;
    ctx.sink = &sink;
    auto* c = it->descriptor->create(ctx);
    REQUIRE(c != nullptr);
    CHECK(c->transport() == "http");

    auto r = asio::co_spawn(ioc, c->pop(100), asio::use_future).get();
    CHECK(r.code == collector_api::outcome_code::ok);
    CHECK(r.delivered == 6);
    auto empty = asio::co_spawn(ioc, c->pop(100), asio::use_future).get();
    CHECK(empty.code == collector_api::outcome_code::empty);
    {
        std::lock_guard lock(sink.mutex);
        CHECK(sink.on_host_context);
        REQUIRE(sink.records.size() == 6);
        CHECK(sink.records[0].starts_with("{\"timestamp\""));
        CHECK(sink.records[5] == "not json at all"); // a JSON-string item arrives as its content
    }

    c->close();
    auto closed = asio::co_spawn(ioc, c->pop(100), asio::use_future).get();
    CHECK(closed.code == collector_api::outcome_code::cancelled);
    it->descriptor->destroy(c);
    work.reset();
    for (auto& t : threads)
        t.join();
}

TEST_CASE("the http plugin maps statuses to outcomes")
{
    traffic_sim sim({"--rate", "0"});
    http_plugin_rig rig(sim.url());
    rig.settings.management_key = "wrong";
    rig.settings.request_timeout = 2s;
    CHECK(rig.pop(10).code == collector_api::outcome_code::auth_failed);
    rig.settings.management_key = sim_management_key;
    sim.control("POST", "/_sim/faults", R"({"fail_500":1})");
    CHECK(rig.pop(10).code == collector_api::outcome_code::io_error);
    sim.control("POST", "/_sim/faults", R"({"delay_ms":3000})");
    CHECK(rig.pop(10).code == collector_api::outcome_code::io_error);
    sim.control("POST", "/_sim/faults", R"({"delay_ms":0,"old_cpa":true})");
    CHECK(rig.pop(10).code == collector_api::outcome_code::unsupported);
}

TEST_CASE("the http plugin keeps an unusable reply as one bounded reject and reports an error")
{
    traffic_sim sim({"--rate", "0"});
    http_plugin_rig rig(sim.url());
    auto& sink = rig.sink;
    auto pop = [&] { return rig.pop(100); };
    auto take = [&]
    {
        std::lock_guard lock(sink.mutex);
        auto out = std::make_pair(std::exchange(sink.records, {}), std::exchange(sink.vias, {}));
        return out;
    };

    SECTION("more items than asked: the count is delivered, the excess is one reject")
    {
        sim.control("POST", "/_sim/faults", R"({"over_answer":150})");
        auto r = pop();
        CHECK(r.code == collector_api::outcome_code::io_error);
        CHECK(r.delivered == 100);
        CHECK_THAT(r.message, Catch::Contains("150 items to count=100"));
        auto [records, vias] = take();
        CHECK(vias == std::vector<std::string>{"http", "http:rejected"});
        REQUIRE(records.size() == 104);
        CHECK_THAT(records[100], Catch::Contains("the 50 beyond the count"));
        CHECK_THAT(records[101], Catch::StartsWith(R"({"over_answer":100,)"));
        CHECK(records[102] == std::to_string(records[101].size()));
    }
    SECTION("garbage: a 64 KiB prefix, the size and the hash, never the whole body")
    {
        sim.control("POST", "/_sim/faults", R"({"garbage_bytes":1048576})");
        auto r = pop();
        CHECK(r.code == collector_api::outcome_code::io_error);
        CHECK(r.delivered == 0);
        CHECK_THAT(r.message, Catch::Contains("not a JSON array"));
        auto [records, vias] = take();
        CHECK(vias == std::vector<std::string>{"http:rejected"});
        REQUIRE(records.size() == 4);
        CHECK(records[1].size() == 64 * 1024);
        CHECK(records[2] == "1048576");
        CHECK(records[3].size() == 64);
    }
    SECTION("a reply above the cap is read to its end but only its prefix is kept")
    {
        sim.control("POST", "/_sim/faults", R"({"garbage_bytes":41943040})");
        auto r = pop();
        CHECK(r.code == collector_api::outcome_code::io_error);
        CHECK_THAT(r.message, Catch::Contains("larger than the 32 MiB cap"));
        auto [records, vias] = take();
        REQUIRE(records.size() == 4);
        CHECK(records[1].size() == 64 * 1024);
        CHECK(records[2] == "41943040");
        // The connection stays usable: the next pop works.
        sim.control("POST", "/_sim/faults", R"({"garbage_bytes":0})");
        CHECK(pop().code == collector_api::outcome_code::empty);
    }
}
