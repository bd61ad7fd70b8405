#include "alert_metrics.hpp"
#include "usage_metrics.hpp"

#include <array>
#include <cpamd/api/admin_auth.hpp>
#include <cpamd/api/metrics_route.hpp>
#include <cpamd/core/log.hpp>
#include <cpamd/core/version.hpp>
#include <cpamd/http/reply.hpp>
#include <cpamd/ops/process_stats.hpp>
#include <cpamd/ops/prometheus_text.hpp>
#include <cpamd/security/bearer.hpp>
#include <cpamd/security/secret.hpp>
#include <cpamd/store/writer_metrics.hpp>
#include <filesystem>
#include <limits>
#include <string_view>

namespace cpamd::api
{
namespace
{

namespace json = boost::json;
using ops::prometheus_text;

constexpr std::array collector_states{"stopped", "starting", "running", "error"};

double number_field(const json::object& o, std::string_view key)
{
    const auto* v = o.if_contains(key);
    if (v == nullptr)
        return 0;
    if (v->is_int64())
        return static_cast<double>(v->get_int64());
    if (v->is_uint64())
        return static_cast<double>(v->get_uint64());
    if (v->is_double())
        return v->get_double();
    return 0;
}

double file_bytes(const std::filesystem::path& p)
{
    std::error_code ec;
    auto n = std::filesystem::file_size(p, ec);
    return ec ? 0 : static_cast<double>(n);
}

bool is_loopback(const boost::asio::ip::address& a)
{
    if (a.is_v6() && a.to_v6().is_v4_mapped())
        return boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, a.to_v6()).is_loopback();
    return a.is_loopback();
}

std::optional<http::response> metrics_denied(services& svc, const http::exchange& ex)
{
    if (svc.cfg.metrics_allow_loopback && is_loopback(ex.client_address()))
        return std::nullopt;
    if (!svc.cfg.metrics_token.empty())
    {
        auto token = security::extract_bearer_token(ex.header_value("authorization"));
        if (!token.empty() && security::constant_time_equal(token, svc.cfg.metrics_token))
            return std::nullopt;
    }
    return svc.auth->check(ex);
}

void write_process(prometheus_text& out)
{
    const auto p = ops::read_process_stats();
    out.family("process_cpu_seconds_total", "counter", "User and system CPU time spent, in seconds.");
    out.sample("process_cpu_seconds_total", p.cpu_seconds);
    out.family("process_resident_memory_bytes", "gauge", "Resident memory size in bytes.");
    out.sample("process_resident_memory_bytes", static_cast<double>(p.resident_bytes));
    out.family("process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.");
    out.sample("process_virtual_memory_bytes", static_cast<double>(p.virtual_bytes));
    out.family("process_open_fds", "gauge", "Open file descriptors.");
    out.sample("process_open_fds", static_cast<double>(p.open_fds));
    out.family("process_max_fds", "gauge", "The limit on open file descriptors.");
    out.sample("process_max_fds", static_cast<double>(p.max_fds));
    out.family(
        "process_start_time_seconds", "gauge", "Start time of the process since the Unix epoch, in seconds."
    );
    out.sample("process_start_time_seconds", p.start_time_seconds);
    out.family("cpamd_process_threads", "gauge", "Threads of the process.");
    out.sample("cpamd_process_threads", static_cast<double>(p.threads));
}

void write_store(prometheus_text& out, services& svc)
{
    const auto w = svc.db.writer().stats();
    out.family(
        "cpamd_ingest_events_total",
        "counter",
        "Usage records the writer committed: inserted, duplicate (already stored) or rejected (kept in "
        "rejects)."
    );
    out.sample("cpamd_ingest_events_total", {{"result", "inserted"}}, static_cast<double>(w.inserted));
    out.sample("cpamd_ingest_events_total", {{"result", "duplicate"}}, static_cast<double>(w.duplicates));
    out.sample("cpamd_ingest_events_total", {{"result", "rejected"}}, static_cast<double>(w.rejected));
    out.family(
        "cpamd_store_pending_events", "gauge", "Events submitted to the writer and not yet committed."
    );
    out.sample("cpamd_store_pending_events", static_cast<double>(w.pending));
    out.family(
        "cpamd_store_failed_batches_total", "counter", "Writer transactions that failed and wrote nothing."
    );
    out.sample("cpamd_store_failed_batches_total", static_cast<double>(w.failed_batches));
    out.family(
        "cpamd_store_failed_folds_total",
        "counter",
        "Folds of deferred rollups that failed; retried, and totals stay exact meanwhile."
    );
    out.sample("cpamd_store_failed_folds_total", static_cast<double>(w.failed_folds));
    out.family(
        "cpamd_store_last_insert_timestamp_seconds", "gauge", "When an event was last inserted (0: never)."
    );
    out.sample("cpamd_store_last_insert_timestamp_seconds", static_cast<double>(w.last_insert_ms) / 1000.0);

    const auto& m = store::writer_metrics::process();
    auto as_data = [](const store::writer_metrics::histogram& h) {
        return ops::histogram_data{h.bounds, h.counts, h.sum};
    };
    out.family("cpamd_store_batch_events", "histogram", "Events per writer transaction.");
    out.histogram("cpamd_store_batch_events", {}, as_data(m.batch_sizes()));
    out.family(
        "cpamd_store_batch_duration_seconds", "histogram", "Time per writer transaction, COMMIT included."
    );
    out.histogram("cpamd_store_batch_duration_seconds", {}, as_data(m.batch_seconds()));

    const auto& db = svc.db.path();
    out.family(
        "cpamd_database_size_bytes",
        "gauge",
        "Size of the SQLite files: the database, its WAL and shared memory."
    );
    out.sample("cpamd_database_size_bytes", {{"file", "main"}}, file_bytes(db));
    out.sample("cpamd_database_size_bytes", {{"file", "wal"}}, file_bytes(db.string() + "-wal"));
    out.sample("cpamd_database_size_bytes", {{"file", "shm"}}, file_bytes(db.string() + "-shm"));
}

void write_collector(prometheus_text& out, services& svc)
{
    const json::object c = svc.collector_status ? svc.collector_status() : json::object{};
    std::string_view state = "stopped";
    if (const auto* s = c.if_contains("collector"); s && s->is_string())
        state = s->get_string();
    out.family("cpamd_collector_state", "gauge", "1 for the collector's current state, 0 for the others.");
    for (std::string_view s : collector_states)
        out.sample("cpamd_collector_state", {{"state", s}}, s == state ? 1 : 0);
    out.family("cpamd_collector_reconnects_total", "counter", "Times the collector reconnected to CPA.");
    out.sample("cpamd_collector_reconnects_total", number_field(c, "reconnects"));
    out.family(
        "cpamd_collector_spool_depth", "gauge", "Batches in the crash-safe spool waiting to be stored."
    );
    out.sample("cpamd_collector_spool_depth", number_field(c, "spoolDepth"));
    out.family(
        "cpamd_collector_records_total",
        "counter",
        "Records the collector took from CPA, by what became of them."
    );
    out.sample("cpamd_collector_records_total", {{"result", "consumed"}}, number_field(c, "totalConsumed"));
    out.sample("cpamd_collector_records_total", {{"result", "inserted"}}, number_field(c, "totalInserted"));
    out.sample("cpamd_collector_records_total", {{"result", "skipped"}}, number_field(c, "totalSkipped"));
    out.sample("cpamd_collector_records_total", {{"result", "rejected"}}, number_field(c, "rejected"));
    out.sample("cpamd_collector_records_total", {{"result", "lost"}}, number_field(c, "lostRecords"));
    out.family(
        "cpamd_collector_unusable_replies_total",
        "counter",
        "CPA replies kept as one reject (garbage, over a cap)."
    );
    out.sample("cpamd_collector_unusable_replies_total", number_field(c, "unusableReplies"));
    out.family(
        "cpamd_store_rejects_dropped_total", "counter", "Oldest rejects deleted at the rejects table's caps."
    );
    out.sample("cpamd_store_rejects_dropped_total", number_field(c, "rejectsDropped"));
}

void write_proxy(prometheus_text& out, const proxy::proxy_stats& p)
{
    out.family("cpamd_proxy_requests_total", "counter", "Requests forwarded to CPA's management API.");
    out.sample("cpamd_proxy_requests_total", static_cast<double>(p.requests.load()));
    out.family("cpamd_proxy_errors_total", "counter", "Proxied requests that failed, by kind.");
    out.sample(
        "cpamd_proxy_errors_total",
        {{"kind", "upstream_error"}},
        static_cast<double>(p.upstream_errors.load())
    );
    out.sample(
        "cpamd_proxy_errors_total",
        {{"kind", "upstream_timeout"}},
        static_cast<double>(p.upstream_timeouts.load())
    );
    out.sample(
        "cpamd_proxy_errors_total", {{"kind", "not_configured"}}, static_cast<double>(p.not_configured.load())
    );
    out.sample(
        "cpamd_proxy_errors_total", {{"kind", "client_abort"}}, static_cast<double>(p.client_aborts.load())
    );
    out.family(
        "cpamd_proxy_upstream_connections_total",
        "counter",
        "Connections to CPA used, new or reused from the pool."
    );
    out.sample(
        "cpamd_proxy_upstream_connections_total",
        {{"kind", "opened"}},
        static_cast<double>(p.connections_opened.load())
    );
    out.sample(
        "cpamd_proxy_upstream_connections_total",
        {{"kind", "reused"}},
        static_cast<double>(p.connections_reused.load())
    );
}

void write_http(prometheus_text& out, const metrics_sources& src)
{
    if (src.server)
    {
        const auto& c = src.server->counters();
        out.family("cpamd_http_connections_active", "gauge", "Open HTTP connections.");
        out.sample("cpamd_http_connections_active", static_cast<double>(src.server->active_connections()));
        out.family(
            "cpamd_http_connections_total",
            "counter",
            "HTTP connections accepted, refused over the cap (503), and refused over one address's cap."
        );
        out.sample(
            "cpamd_http_connections_total", {{"result", "accepted"}}, static_cast<double>(c.accepted.load())
        );
        out.sample(
            "cpamd_http_connections_total", {{"result", "refused"}}, static_cast<double>(c.refused.load())
        );
        out.sample(
            "cpamd_http_connections_total",
            {{"result", "refused_per_address"}},
            static_cast<double>(c.refused_per_address.load())
        );
        out.family(
            "cpamd_http_malformed_requests_total", "counter", "Requests refused before routing (400, 431)."
        );
        out.sample("cpamd_http_malformed_requests_total", static_cast<double>(c.bad_requests.load()));
    }
    if (src.requests)
        src.requests->write(out);
}

void write_backups(prometheus_text& out, const ops::backup_counters* b)
{
    if (b == nullptr)
        return;
    out.family("cpamd_backups_total", "counter", "Scheduled backups, by result.");
    out.sample("cpamd_backups_total", {{"result", "ok"}}, static_cast<double>(b->succeeded.load()));
    out.sample("cpamd_backups_total", {{"result", "failed"}}, static_cast<double>(b->failed.load()));
    out.family(
        "cpamd_backup_last_success_timestamp_seconds",
        "gauge",
        "When the last scheduled backup finished (0: none yet)."
    );
    out.sample(
        "cpamd_backup_last_success_timestamp_seconds",
        static_cast<double>(b->last_success_unix_ms.load()) / 1000.0
    );
    out.family("cpamd_backup_last_size_bytes", "gauge", "Size of the last scheduled backup.");
    out.sample("cpamd_backup_last_size_bytes", static_cast<double>(b->last_bytes.load()));
    out.family("cpamd_backup_last_duration_seconds", "gauge", "How long the last scheduled backup took.");
    out.sample(
        "cpamd_backup_last_duration_seconds", static_cast<double>(b->last_duration_ms.load()) / 1000.0
    );
}

http::asio::awaitable<http::response>
handle_metrics(services* svc, std::shared_ptr<metrics_sources> sources, http::exchange& ex)
{
    if (auto denied = metrics_denied(*svc, ex))
        co_return std::move(*denied);
    std::optional<analytics::usage_snapshot> usage;
    if (sources->usage)
        usage = co_await svc->db.readers().run(
            [u = sources->usage.get(), n = sources->usage_top_n](store::connection& c)
            {
                // Once the stored events are counted, each scrape counts those stored since.
                if (u->ready())
                    u->fold(c, std::numeric_limits<std::size_t>::max());
                return u->snapshot(c, n);
            }
        );
    co_return http::text_reply(
        200, render_metrics(*svc, *sources, usage ? &*usage : nullptr), prometheus_text::content_type
    );
}

} // namespace

std::string
render_metrics(services& svc, const metrics_sources& sources, const analytics::usage_snapshot* usage)
{
    prometheus_text out;
    out.family("cpamd_build_info", "gauge", "Always 1; the version is a label.");
    out.sample("cpamd_build_info", {{"version", version}}, 1);
    out.family("cpamd_uptime_seconds", "gauge", "Seconds since the daemon started.");
    const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch()
    )
                            .count();
    out.sample("cpamd_uptime_seconds", static_cast<double>(now_ms - svc.started_at_ms) / 1000.0);
    write_process(out);
    write_http(out, sources);
    write_store(out, svc);
    write_collector(out, svc);
    if (svc.proxy_stats)
        write_proxy(out, *svc.proxy_stats);
    write_backups(out, sources.backups);
    if (usage)
        write_usage(out, *usage);
    if (svc.alerts)
        write_alerts(out, svc.alerts->counters());
    return out.take();
}

boost::asio::awaitable<void> count_stored_usage(services& svc, analytics::usage_counters& usage)
{
    // Chunks of this many events (~0.1 s each at 10 M) keep a reader free for the routes.
    constexpr std::size_t chunk = 50'000;
    auto fold_chunk = [u = &usage](store::connection& c) { return u->fold(c, chunk); };
    try
    {
        for (;;)
        {
            const auto counted = co_await svc.db.readers().run(fold_chunk);
            if (counted < chunk)
                break;
        }
    }
    catch (const std::exception& e)
    {
        log::error("usage metrics: counting the stored events failed: {}", e.what());
    }
}

void add_metrics_route(http::router& r, services& svc, std::shared_ptr<metrics_sources> sources)
{
    services* s = &svc;
    r.add(
        {http::bhttp::verb::get},
        "/metrics",
        [s, sources](http::exchange& ex) { return handle_metrics(s, sources, ex); },
        {.auth = http::auth_level::open, .name = "metrics"}
    );
}

} // namespace cpamd::api
