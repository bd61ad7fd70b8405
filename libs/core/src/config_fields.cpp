#include "config_fields.hpp"

#include <algorithm>
#include <charconv>
#include <fmt/format.h>
#include <fstream>
#include <limits>
#include <sstream>

namespace cpamd::detail
{
namespace
{

using opt_error = std::optional<std::string>;

std::string_view trim(std::string_view s)
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r'))
        s.remove_suffix(1);
    return s;
}

std::string lower(std::string_view s)
{
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
    return out;
}

std::filesystem::path resolve_path(std::string_view raw, const apply_context& ctx)
{
    std::filesystem::path p{std::string(trim(raw))};
    if (p.is_relative())
        p = ctx.base_dir / p;
    return p.lexically_normal();
}

// Upstream semantics: a value <= 0 falls back to the default (with a warning here); a value that
// is not a number at all is an error (upstream ignored it silently, which hid typos).
template <class Int>
opt_error parse_positive(std::string_view raw, Int& out, Int fallback, const apply_context& ctx)
{
    auto text = trim(raw);
    long long value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size())
        return fmt::format("expected a whole number, got \"{}\"", text);
    if (value <= 0)
    {
        if (ctx.warnings)
            ctx.warnings->push_back(
                fmt::format("{}: {} is not positive, using {}", ctx.variable, value, fallback)
            );
        out = fallback;
        return std::nullopt;
    }
    if (static_cast<unsigned long long>(value) >
        static_cast<unsigned long long>(std::numeric_limits<Int>::max()))
        return fmt::format("{} is too large", value);
    out = static_cast<Int>(value);
    return std::nullopt;
}

// A whole number of days, 0 included (0 means "keep forever" for the retention settings).
opt_error parse_days(std::string_view raw, int& out)
{
    auto text = trim(raw);
    int v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || v < 0)
        return fmt::format("expected a whole number of days >= 0, got \"{}\"", text);
    out = v;
    return std::nullopt;
}

// A whole number from 0 to 1000 (a label cardinality: more would flood a Prometheus server).
opt_error parse_count(std::string_view raw, unsigned& out)
{
    auto text = trim(raw);
    unsigned v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || v > 1000)
        return fmt::format("expected a whole number from 0 to 1000, got \"{}\"", text);
    out = v;
    return std::nullopt;
}

opt_error parse_bool(std::string_view raw, bool& out)
{
    auto v = lower(trim(raw));
    if (v == "1" || v == "true" || v == "yes" || v == "on")
        out = true;
    else if (v == "0" || v == "false" || v == "no" || v == "off")
        out = false;
    else
        return fmt::format("expected true or false, got \"{}\"", v);
    return std::nullopt;
}

// Reads a secret file. An unreadable file named by the user is an error (a silent skip would
// start the daemon with the wrong key); `optional_default` files are skipped when absent.
opt_error read_secret_file(const std::filesystem::path& p, std::string& out, bool optional_default)
{
    std::ifstream in(p, std::ios::binary);
    if (!in)
    {
        if (optional_default)
            return std::nullopt;
        return fmt::format("cannot read file {}", p.string());
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    out = std::string(trim(ss.str()));
    return std::nullopt;
}

std::string show_path(const std::filesystem::path& p)
{
    return p.empty() ? "(unset)" : p.string();
}
std::string show_secret(const std::string& s)
{
    return s.empty() ? "(unset)" : "(set, hidden)";
}
std::string show_bool(bool b)
{
    return b ? "true" : "false";
}

// "0" or "off" disables; otherwise a whole number with an optional unit: s (the default), m, h, d.
opt_error parse_interval(std::string_view raw, std::uint64_t& seconds)
{
    auto text = lower(trim(raw));
    if (text == "off" || text == "0")
    {
        seconds = 0;
        return std::nullopt;
    }
    std::string_view digits = text;
    std::uint64_t unit = 1;
    if (!digits.empty())
    {
        const char u = digits.back();
        unit = u == 'm' ? 60 : u == 'h' ? 3600 : u == 'd' ? 86400 : 1;
        if (u == 's' || u == 'm' || u == 'h' || u == 'd')
            digits.remove_suffix(1);
    }
    std::uint64_t value = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (digits.empty() || ec != std::errc{} || end != digits.data() + digits.size() || value == 0 ||
        value > std::numeric_limits<std::uint32_t>::max())
        return fmt::format("expected off or a duration such as 90s, 30m, 6h or 1d, got \"{}\"", text);
    seconds = value * unit;
    return std::nullopt;
}

std::string show_interval(std::uint64_t seconds)
{
    if (seconds == 0)
        return "off";
    if (seconds % 86400 == 0)
        return std::to_string(seconds / 86400) + "d";
    if (seconds % 3600 == 0)
        return std::to_string(seconds / 3600) + "h";
    if (seconds % 60 == 0)
        return std::to_string(seconds / 60) + "m";
    return std::to_string(seconds) + "s";
}

// A price source: an http(s) URL, or "off" to leave the source out of the sync.
opt_error parse_source_url(std::string_view raw, std::string& out)
{
    auto text = trim(raw);
    auto low = lower(text);
    if (low != "off" && !low.starts_with("http://") && !low.starts_with("https://"))
        return fmt::format("expected an http(s) URL or off, got \"{}\"", text);
    out = low == "off" ? std::string("off") : std::string(text);
    return std::nullopt;
}

constexpr std::string_view default_management_key_file = "/run/secrets/cpa_management_key";
constexpr std::string_view default_admin_key_file = "/run/secrets/cpa_admin_key";

const config_field fields[] = {
    {{"HTTP_ADDR", "httpAddr", "0.0.0.0:18317", "Listen address, host:port ([v6]:port, :port)."},
     false,
     [](config& c, std::string_view raw, const apply_context&) -> opt_error
     {
         std::string why;
         auto a = parse_listen_address(trim(raw), why);
         if (!a)
             return fmt::format("invalid address \"{}\": {}", trim(raw), why);
         c.listen = *a;
         return std::nullopt;
     },
     [](const config& c) { return c.listen.to_string(); }},
    {{"USAGE_DATA_DIR",
      "dataDir",
      "<config dir>/data, else ./data",
      "Data directory (database, data.key, imports)."},
     false,
     [](config& c, std::string_view raw, const apply_context& ctx) -> opt_error
     {
         c.data_dir = resolve_path(raw, ctx);
         return std::nullopt;
     },
     [](const config& c) { return show_path(c.data_dir); }},
    {{"USAGE_DB_PATH",
      "dbPath",
      "<data dir>/usage.sqlite",
      "SQLite database file (dbPath is ignored when USAGE_DATA_DIR is set)."},
     false,
     [](config& c, std::string_view raw, const apply_context& ctx) -> opt_error
     {
         c.db_path = resolve_path(raw, ctx);
         return std::nullopt;
     },
     [](const config& c) { return show_path(c.db_path); }},
    {{"CPA_UPSTREAM_URL",
      "cpaUpstreamUrl",
      "",
      "CPA base URL; with a management key, an env-managed connection."},
     false,
     [](config& c, std::string_view raw, const apply_context&) -> opt_error
     {
         c.cpa_upstream_url = std::string(trim(raw));
         return std::nullopt;
     },
     [](const config& c)
     { return c.cpa_upstream_url.empty() ? std::string("(unset)") : c.cpa_upstream_url; }},
    {{"CPA_MANAGEMENT_KEY", "", "", "CPA management key (secret)."},
     true,
     [](config& c, std::string_view raw, const apply_context&) -> opt_error
     {
         c.cpa_management_key = std::string(trim(raw));
         return std::nullopt;
     },
     [](const config& c) { return show_secret(c.cpa_management_key); }},
    {{"CPA_MANAGEMENT_KEY_FILE",
      "managementKeyFile",
      "/run/secrets/cpa_management_key",
      "File holding the CPA management key."},
     true,
     [](config& c, std::string_view raw, const apply_context& ctx) -> opt_error
     {
         if (!c.cpa_management_key.empty())
             return std::nullopt; // the key itself wins over its file
         return read_secret_file(
             resolve_path(raw, ctx), c.cpa_management_key, trim(raw) == default_management_key_file
         );
     },
     [](const config& c) { return show_secret(c.cpa_management_key); }},
    {{"CPA_MANAGER_ADMIN_KEY",
      "",
      "",
      "Admin key to use at first start instead of a generated one (secret)."},
     true,
     [](config& c, std::string_view raw, const apply_context&) -> opt_error
     {
         c.admin_key = std::string(trim(raw));
         return std::nullopt;
     },
     [](const config& c) { return show_secret(c.admin_key); }},
    {{"CPA_MANAGER_ADMIN_KEY_FILE",
      "adminKeyFile",
      "/run/secrets/cpa_admin_key",
      "File holding the first-start admin key."},
     true,
     [](config& c, std::string_view raw, const apply_context& ctx) -> opt_error
     {
         if (!c.admin_key.empty())
             return std::nullopt;
         return read_secret_file(resolve_path(raw, ctx), c.admin_key, trim(raw) == default_admin_key_file);
     },
     [](const config& c) { return show_secret(c.admin_key); }},
    {{"CPA_MANAGER_DATA_KEY",
      "",
      "",
      "Data key that encrypts stored secrets (base64 of 32 bytes, 32 bytes, or a passphrase)."},
     true,
     [](config& c, std::string_view raw, const apply_context&) -> opt_error
     {
         c.data_key = std::string(trim(raw));
         return std::nullopt;
     },
     [](const config& c) { return show_secret(c.data_key); }},
    {{"CPA_MANAGER_DATA_KEY_FILE", "dataKeyFile", "/run/secrets/cpa_data_key", "File holding the data key."},
     true,
     [](config& c, std::string_view raw, const apply_context& ctx) -> opt_error
     {
         if (!c.data_key.empty())
             return std::nullopt;
         // Upstream skips an unreadable data key file; we do the same only for the default path.
         return read_secret_file(
             resolve_path(raw, ctx), c.data_key, trim(raw) == "/run/secrets/cpa_data_key"
         );
     },
     [](const config& c) { return show_secret(c.data_key); }},
    {{"CPA_MANAGER_DATA_KEY_PATH",
      "dataKeyPath",
      "<data dir>/data.key",
      "Where the generated data key lives."},
     false,
     [](config& c, std::string_view raw, const apply_context& ctx) -> opt_error
     {
         c.data_key_path = resolve_path(raw, ctx);
         return std::nullopt;
     },
     [](const config& c) { return show_path(c.data_key_path); }},
    {{"USAGE_COLLECTOR_MODE", "collectorMode", "auto", "auto, subscribe, http or resp."},
     false,
     [](config& c, std::string_view raw, const apply_context&) -> opt_error
     {
         auto v = lower(trim(raw));
         if (v == "auto")
             c.collector = collector_mode::automatic;
         else if (v == "subscribe")
             c.collector = collector_mode::subscribe;
         else if (v == "http")
             c.collector = collector_mode::http;
         else if (v == "resp")
             c.collector = collector_mode::resp;
         else
             return fmt::format("unknown collector mode \"{}\" (expected auto, subscribe, http or resp)", v);
         return std::nullopt;
     },
     [](const config& c) { return std::string(to_string(c.collector)); }},
    {{"USAGE_RESP_QUEUE", "queue", "usage", "Queue / channel name."},
     false,
     [](config& c, std::string_view raw, const apply_context&) -> opt_error
     {
         c.queue = std::string(trim(raw));
         return std::nullopt;
     },
     [](const config& c) { return c.queue; }},
    {{"USAGE_RESP_POP_SIDE",
      "popSide",
      "right",
      "right (RPOP) or left (LPOP); CPA pops oldest first either way."},
     false,
     [](config& c, std::string_view raw, const apply_context&) -> opt_error
     {
         auto v = lower(trim(raw));
         if (v == "right")
             c.side = pop_side::right;
         else if (v == "left")
             c.side = pop_side::left;
         else
             return fmt::format("unknown pop side \"{}\" (expected left or right)", v);
         return std::nullopt;
     },
     [](const config& c) { return std::string(to_string(c.side)); }},
    {{"USAGE_BATCH_SIZE", "batchSize", "100", "Records per pop."},
     false,
     [](config& c, std::string_view raw, const apply_context& ctx)
     { return parse_positive(raw, c.batch_size, 100, ctx); },
     [](const config& c) { return std::to_string(c.batch_size); }},
    {{"USAGE_POLL_INTERVAL_MS", "pollIntervalMs", "500", "Wait after an empty pop, in milliseconds."},
     false,
     [](config& c, std::string_view raw, const apply_context& ctx)
     { return parse_positive(raw, c.poll_interval_ms, 500, ctx); },
     [](const config& c) { return std::to_string(c.poll_interval_ms); }},
    {{"USAGE_QUERY_LIMIT",
      "queryLimit",
      "50000",
      "Newest events returned by /v0/management/usage (at most 50000)."},
     false,
     [](config& c, std::string_view raw, const apply_context& ctx)
     { return parse_positive(raw, c.query_limit, 50000, ctx); },
     [](const config& c) { return std::to_string(c.query_limit); }},
    {{"USAGE_CORS_ORIGINS", "corsOrigins", "*", "Comma-separated allowed origins (* for any)."},
     false,
     [](config& c, std::string_view raw, const apply_context&) -> opt_error
     {
         c.cors_origins.clear();
         std::string_view rest = raw;
         while (!rest.empty())
         {
             auto comma = rest.find(',');
             auto item = trim(rest.substr(0, comma));
             if (!item.empty())
                 c.cors_origins.emplace_back(item);
             if (comma == std::string_view::npos)
                 break;
             rest.remove_prefix(comma + 1);
         }
         return std::nullopt;
     },
     [](const config& c)
     {
         std::string out;
         for (const auto& o : c.cors_origins)
             out += (out.empty() ? "" : ",") + o;
         return out.empty() ? std::string("(none)") : out;
     }},
    {{"USAGE_RESP_TLS_SKIP_VERIFY",
      "tlsSkipVerify",
      "false",
      "Skip TLS certificate verification towards CPA."},
     false,
     [](config& c, std::string_view raw, const apply_context&) { return parse_bool(raw, c.tls_skip_verify); },
     [](const config& c) { return show_bool(c.tls_skip_verify); }},
    {{"PANEL_PATH", "panelPath", "", "Serve this management.html instead of the embedded panel."},
     false,
     [](config& c, std::string_view raw, const apply_context& ctx) -> opt_error
     {
         c.panel_path = resolve_path(raw, ctx);
         return std::nullopt;
     },
     [](const config& c) { return show_path(c.panel_path); }},
    {{"CPA_MANAGER_PPROF_ADDR", "pprofAddr", "", "Accepted for compatibility; cpamd has no pprof endpoint."},
     false,
     [](config& c, std::string_view raw, const apply_context&) -> opt_error
     {
         c.pprof_addr = std::string(trim(raw));
         return std::nullopt;
     },
     [](const config& c) { return c.pprof_addr.empty() ? std::string("(unset)") : c.pprof_addr; }},
    {{"USAGE_IMPORT_CHUNK_BYTES", "usageImportChunkBytes", "4194304", "Chunk size of resumable imports."},
     false,
     [](config& c, std::string_view raw, const apply_context& ctx)
     { return parse_positive(raw, c.usage_import.chunk_bytes, std::uint64_t{4} << 20, ctx); },
     [](const config& c) { return std::to_string(c.usage_import.chunk_bytes); }},
    {{"USAGE_IMPORT_DISK_QUOTA_BYTES",
      "usageImportDiskQuotaBytes",
      "17179869184",
      "Disk space resumable imports may use."},
     false,
     [](config& c, std::string_view raw, const apply_context& ctx)
     { return parse_positive(raw, c.usage_import.disk_quota_bytes, std::uint64_t{16} << 30, ctx); },
     [](const config& c) { return std::to_string(c.usage_import.disk_quota_bytes); }},
    {{"USAGE_IMPORT_MAX_SESSIONS", "usageImportMaxSessions", "2", "Concurrent resumable imports."},
     false,
     [](config& c, std::string_view raw, const apply_context& ctx)
     { return parse_positive(raw, c.usage_import.max_sessions, 2u, ctx); },
     [](const config& c) { return std::to_string(c.usage_import.max_sessions); }},
    {{"USAGE_IMPORT_SESSION_TTL_MINUTES",
      "usageImportSessionTTLMinutes",
      "1440",
      "Lifetime of an unfinished import session."},
     false,
     [](config& c, std::string_view raw, const apply_context& ctx)
     { return parse_positive(raw, c.usage_import.session_ttl_minutes, 1440u, ctx); },
     [](const config& c) { return std::to_string(c.usage_import.session_ttl_minutes); }},
    {{"USAGE_RETENTION_DAYS",
      "retentionDays",
      "0",
      "Delete raw events older than this many days (0 keeps them; rollups stay)."},
     false,
     [](config& c, std::string_view raw, const apply_context&) { return parse_days(raw, c.retention_days); },
     [](const config& c) { return std::to_string(c.retention_days); }},
    {{"USAGE_PLUGIN_DIR",
      "pluginDir",
      "<exe dir>/../lib/cpamd/plugins",
      "Where collector plugins are loaded from."},
     false,
     [](config& c, std::string_view raw, const apply_context& ctx) -> opt_error
     {
         c.plugin_dir = resolve_path(raw, ctx);
         return std::nullopt;
     },
     [](const config& c) { return show_path(c.plugin_dir); }},
    {{"CPAMD_THREADS", "threads", "hardware threads", "Threads running the event loop."},
     false,
     [](config& c, std::string_view raw, const apply_context& ctx)
     { return parse_positive(raw, c.threads, 0u, ctx); },
     [](const config& c) { return c.threads == 0 ? std::string("auto") : std::to_string(c.threads); }},
    {{"CPAMD_LOG_LEVEL", "logLevel", "info", "debug, info, warn or error."},
     false,
     [](config& c, std::string_view raw, const apply_context&) -> opt_error
     {
         if (!log::parse_level(trim(raw), c.log_level))
             return fmt::format("unknown log level \"{}\" (expected debug, info, warn or error)", trim(raw));
         return std::nullopt;
     },
     [](const config& c) { return std::string(log::level_name(c.log_level)); }},
    {{"CPAMD_MAX_CONNECTIONS", "maxConnections", "1024", "Concurrent HTTP connections; more get 503."},
     false,
     [](config& c, std::string_view raw, const apply_context& ctx)
     { return parse_positive(raw, c.max_connections, 1024u, ctx); },
     [](const config& c) { return std::to_string(c.max_connections); }},
    {{"CPAMD_MAX_CONNECTIONS_PER_ADDRESS",
      "maxConnectionsPerAddress",
      "256",
      "Concurrent HTTP connections from one client address (IPv6: one /64); more get 503."},
     false,
     [](config& c, std::string_view raw, const apply_context& ctx)
     { return parse_positive(raw, c.max_connections_per_address, 256u, ctx); },
     [](const config& c) { return std::to_string(c.max_connections_per_address); }},
    {{"CPAMD_SPOOL_RESERVE_MB",
      "spoolReserveMb",
      "64",
      "Free disk space (MiB) the collector keeps in the data dir; below it, it takes nothing from CPA."},
     false,
     [](config& c, std::string_view raw, const apply_context& ctx)
     { return parse_positive(raw, c.spool_reserve_mb, 64u, ctx); },
     [](const config& c) { return std::to_string(c.spool_reserve_mb); }},
    {{"CPAMD_IDLE_TIMEOUT_SECONDS",
      "idleTimeoutSeconds",
      "60",
      "Close keep-alive connections idle this long."},
     false,
     [](config& c, std::string_view raw, const apply_context& ctx)
     { return parse_positive(raw, c.idle_timeout_seconds, 60u, ctx); },
     [](const config& c) { return std::to_string(c.idle_timeout_seconds); }},
    {{"CPAMD_AUTH_MAX_FAILURES",
      "authMaxFailures",
      "10",
      "Failed admin-key attempts from one address before it is blocked."},
     false,
     [](config& c, std::string_view raw, const apply_context& ctx)
     { return parse_positive(raw, c.auth_max_failures, 10u, ctx); },
     [](const config& c) { return std::to_string(c.auth_max_failures); }},
    {{"CPAMD_AUTH_WINDOW_SECONDS", "authWindowSeconds", "300", "Window in which those failures are counted."},
     false,
     [](config& c, std::string_view raw, const apply_context& ctx)
     { return parse_positive(raw, c.auth_window_seconds, 300u, ctx); },
     [](const config& c) { return std::to_string(c.auth_window_seconds); }},
    {{"CPAMD_AUTH_BLOCK_SECONDS", "authBlockSeconds", "300", "How long a blocked address gets 429."},
     false,
     [](config& c, std::string_view raw, const apply_context& ctx)
     { return parse_positive(raw, c.auth_block_seconds, 300u, ctx); },
     [](const config& c) { return std::to_string(c.auth_block_seconds); }},
    {{"BACKUP_INTERVAL",
      "backupInterval",
      "off",
      "Scheduled backups into <data dir>/backups: off, or a period such as 6h or 1d."},
     false,
     [](config& c, std::string_view raw, const apply_context&)
     { return parse_interval(raw, c.backup_interval_seconds); },
     [](const config& c) { return show_interval(c.backup_interval_seconds); }},
    {{"BACKUP_RETENTION_DAYS",
      "backupRetentionDays",
      "7",
      "Delete scheduled backups older than this many days (0 keeps them all)."},
     false,
     [](config& c, std::string_view raw, const apply_context&)
     { return parse_days(raw, c.backup_retention_days); },
     [](const config& c) { return std::to_string(c.backup_retention_days); }},
    {{"METRICS_TOKEN",
      "metricsToken",
      "",
      "Bearer token that may read /metrics besides the admin key (secret)."},
     true,
     [](config& c, std::string_view raw, const apply_context&) -> opt_error
     {
         c.metrics_token = std::string(trim(raw));
         return std::nullopt;
     },
     [](const config& c) { return show_secret(c.metrics_token); }},
    {{"METRICS_ALLOW_LOOPBACK",
      "metricsAllowLoopback",
      "false",
      "Let clients on 127.0.0.0/8 and ::1 read /metrics without a token."},
     false,
     [](config& c, std::string_view raw, const apply_context&)
     { return parse_bool(raw, c.metrics_allow_loopback); },
     [](const config& c) { return show_bool(c.metrics_allow_loopback); }},
    {{"METRICS_USAGE_TOP_N",
      "metricsUsageTopN",
      "20",
      "Usage series on /metrics: label values kept per family (the rest summed as other); 0 turns them off."},
     false,
     [](config& c, std::string_view raw, const apply_context&)
     { return parse_count(raw, c.metrics_usage_top_n); },
     [](const config& c) { return std::to_string(c.metrics_usage_top_n); }},
    {{"CPAMD_PROXY_CONNECT_TIMEOUT_SECONDS",
      "proxyConnectTimeoutSeconds",
      "30",
      "Proxy: connecting (and the TLS handshake) to CPA; then 502."},
     false,
     [](config& c, std::string_view raw, const apply_context& ctx)
     { return parse_positive(raw, c.proxy_connect_timeout_seconds, 30u, ctx); },
     [](const config& c) { return std::to_string(c.proxy_connect_timeout_seconds); }},
    {{"CPAMD_PROXY_IDLE_TIMEOUT_SECONDS",
      "proxyIdleTimeoutSeconds",
      "300",
      "Proxy: the longest CPA or the client may stay silent mid-request; then 504 or a cut."},
     false,
     [](config& c, std::string_view raw, const apply_context& ctx)
     { return parse_positive(raw, c.proxy_idle_timeout_seconds, 300u, ctx); },
     [](const config& c) { return std::to_string(c.proxy_idle_timeout_seconds); }},
    {{"CPAMD_PROXY_MAX_IDLE_CONNECTIONS",
      "proxyMaxIdleConnections",
      "64",
      "Proxy: keep-alive connections to CPA kept open between requests."},
     false,
     [](config& c, std::string_view raw, const apply_context& ctx)
     { return parse_positive(raw, c.proxy_max_idle_connections, 64u, ctx); },
     [](const config& c) { return std::to_string(c.proxy_max_idle_connections); }},
    {{"CPAMD_PRICES_MODELS_DEV_URL",
      "pricesModelsDevUrl",
      "https://models.dev/catalog.json",
      "Price sync: the models.dev catalog (first source); off leaves it out."},
     false,
     [](config& c, std::string_view raw, const apply_context&)
     { return parse_source_url(raw, c.prices_models_dev_url); },
     [](const config& c) { return c.prices_models_dev_url; }},
    {{"CPAMD_PRICES_LITELLM_URL",
      "pricesLitellmUrl",
      "https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json",
      "Price sync: LiteLLM's price list (second source); off leaves it out."},
     false,
     [](config& c, std::string_view raw, const apply_context&)
     { return parse_source_url(raw, c.prices_litellm_url); },
     [](const config& c) { return c.prices_litellm_url; }},
    {{"CPAMD_PRICES_OPENROUTER_URL",
      "pricesOpenrouterUrl",
      "https://openrouter.ai/api/v1/models",
      "Price sync: OpenRouter's model list (third source); off leaves it out."},
     false,
     [](config& c, std::string_view raw, const apply_context&)
     { return parse_source_url(raw, c.prices_openrouter_url); },
     [](const config& c) { return c.prices_openrouter_url; }},
};

} // namespace

std::span<const config_field> config_fields()
{
    return fields;
}

} // namespace cpamd::detail
