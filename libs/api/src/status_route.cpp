#include "settings_io.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <cpamd/api/manager_config.hpp>
#include <cpamd/api/manager_state.hpp>
#include <cpamd/api/status_route.hpp>
#include <cpamd/core/version.hpp>
#include <cpamd/http/reply.hpp>
#include <cpamd/store/context_bands.hpp>
#include <cpamd/store/database.hpp>
#include <cpamd/store/event_count.hpp>
#include <filesystem>
#include <fstream>
#include <unistd.h>

namespace cpamd::api
{
namespace
{

namespace json = boost::json;
namespace asio = boost::asio;

struct row_counts
{
    std::int64_t events = 0;
    std::int64_t rejects = 0;
    store::context_band_state bands;
};

std::uint64_t file_bytes(const std::filesystem::path& p)
{
    std::error_code ec;
    auto n = std::filesystem::file_size(p, ec);
    return ec ? 0 : n;
}

std::uint64_t rss_bytes()
{
    std::ifstream statm("/proc/self/statm");
    std::uint64_t size = 0, resident = 0;
    if (!(statm >> size >> resident))
        return 0;
    return resident * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
}

// Nothing is ever deferred: migrations build their indexes at once and no offline job exists.
// Counts, as upstream sends them.
json::object maintenance()
{
    return json::object{
        {"required", false},
        {"performanceDegraded", false},
        {"deferredIndexes", 0},
        {"offlineJobs", 0},
        {"reasons", json::array{}}};
}

json::object collector_block(const services& svc, std::int64_t rejects)
{
    const auto cfg = default_manager_config(svc.cfg);
    json::object o;
    o["collector"] = "stopped";
    o["upstream"] = svc.state->upstream();
    o["mode"] = cfg.collector.mode;
    o["transport"] = "";
    o["queue"] = cfg.collector.queue;
    o["lastConsumedAt"] = nullptr;
    o["lastInsertedAt"] = nullptr;
    o["totalInserted"] = 0;
    o["totalSkipped"] = 0;
    o["deadLetters"] = rejects;
    if (svc.collector_status)
        for (auto& [k, v] : svc.collector_status())
            if (!(v.is_string() && v.as_string().empty() && (k == "upstream" || k == "mode" || k == "queue")))
                o[k] = v; // before the first run, the configured values stay
    return o;
}

json::object store_block(const store::writer_stats& w)
{
    json::object o;
    o["inserted"] = w.inserted;
    o["duplicates"] = w.duplicates;
    o["rejected"] = w.rejected;
    o["pending"] = w.pending;
    o["batches"] = w.batches;
    o["lastInsertAt"] = w.last_insert_ms;
    o["lastError"] = w.last_error;
    return o;
}

json::value checkpoint_block(const std::optional<store::checkpoint_report>& r)
{
    if (!r)
        return nullptr;
    return json::object{
        {"mode", r->mode},
        {"busy", r->busy ? 1 : 0}, // the PRAGMA's integer, as upstream reads it
        {"logFrames", r->log_frames},
        {"checkpointedFrames", r->checkpointed_frames},
        {"executedAtMs", r->executed_at_ms},
        {"durationMs", r->duration_ms}};
}

json::object database_block(const std::filesystem::path& db, const store::writer_stats& w)
{
    auto main = file_bytes(db);
    auto wal = file_bytes(db.string() + "-wal");
    auto shm = file_bytes(db.string() + "-shm");
    return json::object{
        {"databaseBytes", main},
        {"walBytes", wal},
        {"shmBytes", shm},
        {"totalBytes", main + wal + shm},
        {"journalSizeLimitBytes", store::journal_size_limit_bytes},
        {"checkpoint", checkpoint_block(w.last_checkpoint)}};
}

// cpamd's own: the rollups' context bands (docs/pricing.md). While a price change re-derives
// them, cost is still exact (hours not yet done are priced from raw events), only slower.
json::object context_bands_block(const store::context_band_state& b)
{
    json::array thresholds;
    for (auto t : b.thresholds)
        thresholds.push_back(t);
    json::object o{
        {"status", b.rederiving() ? "rederiving" : "current"},
        {"thresholds", std::move(thresholds)},
        {"hoursTotal", b.hours_total},
        {"hoursDone", b.hours_done},
        {"startedAtMs", b.started_at_ms}};
    return o;
}

asio::awaitable<http::response> handle_status(services* svc, http::exchange& ex)
{
    if (ex.query_value("scope") == std::optional<std::string>("database-maintenance"))
        co_return http::json_reply(200, json::object{{"databaseMaintenance", maintenance()}});

    auto counts = co_await svc->db.readers().run(
        [](store::connection& c)
        {
            return row_counts{
                store::read_event_count(c),
                c.query_int("SELECT count(*) FROM rejects").value_or(0),
                store::read_context_band_state(c)};
        }
    );
    const auto now = detail::now_ms();
    json::object o;
    o["service"] = "cpa-manager-plus";
    o["dbPath"] = svc->db.path().string();
    o["events"] = counts.events;
    o["deadLetters"] = counts.rejects;
    o["collector"] = collector_block(*svc, counts.rejects);
    o["dataMigration"] = json::object{
        {"name", "usage_cache_accounting_v2"},
        {"status", "completed"},
        {"lastEventId", 0},
        {"targetEventId", 0},
        {"processedRows", 0},
        {"changedRows", 0},
        {"appliedRows", 0},
        {"updatedAtMs", 0}};
    o["databaseMaintenance"] = maintenance();
    o["contextBands"] = context_bands_block(counts.bands);
    const auto writer = svc->db.writer().stats();
    o["database"] = database_block(svc->db.path(), writer);
    o["store"] = store_block(writer);
    o["uptimeSeconds"] = (now - svc->started_at_ms) / 1000;
    o["rssBytes"] = rss_bytes();
    o["version"] = version;
    co_return http::json_reply(200, o);
}

} // namespace

void add_status_route(http::router& r, services& svc)
{
    services* s = &svc;
    r.add(
        {http::bhttp::verb::get},
        "/status",
        [s](http::exchange& ex) { return handle_status(s, ex); },
        {.auth = http::auth_level::admin, .name = "status"}
    );
}

} // namespace cpamd::api
