#pragma once

// The daemon's configuration: environment (non-empty) > config.json > defaults, with the
// upstream Manager Server's names (spec manager-api §4) plus a few of ours (CPAMD_*).
// Every setting is one row of config_fields(), which also drives `cpamd check-config` and the
// configuration reference in docs/configuration.md (a test keeps them in sync).

#include <cpamd/core/listen_address.hpp>
#include <cpamd/core/log.hpp>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace cpamd
{

enum class collector_mode
{
    automatic,
    subscribe,
    http,
    resp
};
enum class pop_side
{
    left,
    right
};
std::string_view to_string(collector_mode m);
std::string_view to_string(pop_side s);

struct usage_import_limits
{
    std::uint64_t chunk_bytes = 4ull << 20;
    std::uint64_t disk_quota_bytes = 16ull << 30;
    unsigned max_sessions = 2;
    unsigned session_ttl_minutes = 1440;
};

struct config
{
    std::filesystem::path config_file; // empty when no config.json is used
    // config.json's "alerts" object as JSON text ("" when none): then it is the alerts
    // configuration and the API may not change it (docs/alerts.md).
    std::string alerts_json;

    listen_address listen{"0.0.0.0", 18317};
    std::filesystem::path data_dir;
    std::filesystem::path db_path;

    // A connection given by the environment (both set) is "env-managed": the API may not change it.
    std::string cpa_upstream_url;
    std::string cpa_management_key; // secret
    std::string admin_key;          // secret; only consulted when no admin credential exists yet
    std::string data_key;           // secret; literal value or the content of the data key file
    std::filesystem::path data_key_path;

    collector_mode collector = collector_mode::automatic;
    std::string queue = "usage";
    pop_side side = pop_side::right;
    int batch_size = 100;
    int poll_interval_ms = 500;
    int query_limit = 50000;
    std::vector<std::string> cors_origins{"*"};
    bool tls_skip_verify = false;
    std::filesystem::path panel_path;
    std::string pprof_addr; // accepted for compatibility; cpamd has no pprof
    usage_import_limits usage_import;
    int retention_days = 0; // 0 keeps raw events forever
    std::filesystem::path plugin_dir;

    // Ours.
    unsigned threads = 0; // 0: one per hardware thread
    log::level log_level = log::level::info;
    unsigned max_connections = 1024;
    unsigned max_connections_per_address = 256;
    unsigned idle_timeout_seconds = 60;
    // Free space the collector leaves on the data dir's disk: below it, it stops popping.
    unsigned spool_reserve_mb = 64;
    // Failed admin-key attempts: `auth_max_failures` within `auth_window_seconds` block the
    // client address for `auth_block_seconds` (429 with Retry-After).
    unsigned auth_max_failures = 10;
    unsigned auth_window_seconds = 300;
    unsigned auth_block_seconds = 300;

    // Operations (docs/operations.md).
    std::uint64_t backup_interval_seconds = 0; // 0: no scheduled backups
    int backup_retention_days = 7;             // scheduled backups older than this go; 0 keeps all
    std::string metrics_token;                 // secret; empty: /metrics needs the admin key
    bool metrics_allow_loopback = false;       // loopback clients may read /metrics without a key
    unsigned metrics_usage_top_n = 20;         // label values per usage family; 0: no usage series
    // The reverse proxy to CPA (docs/proxy.md).
    unsigned proxy_connect_timeout_seconds = 30;
    unsigned proxy_idle_timeout_seconds = 300;
    unsigned proxy_max_idle_connections = 64;
    // The price sync's sources (docs/pricing.md); "off" leaves one out.
    std::string prices_models_dev_url = "https://models.dev/catalog.json";
    std::string prices_litellm_url =
        "https://raw.githubusercontent.com/BerriAI/litellm/main/model_prices_and_context_window.json";
    std::string prices_openrouter_url = "https://openrouter.ai/api/v1/models";

    bool env_managed_connection() const { return !cpa_upstream_url.empty() && !cpa_management_key.empty(); }
};

// Where a setting's effective value came from.
enum class config_origin
{
    fallback,
    file,
    env
};

struct config_error
{
    std::string variable; // e.g. "USAGE_BATCH_SIZE" or "config.json field batchSize"
    std::string message;  // one line, never contains a secret value

    std::string to_string() const { return variable + ": " + message; }
};

struct config_inputs
{
    std::function<std::optional<std::string>(const std::string&)> getenv; // nullopt if unset
    std::filesystem::path executable_dir;                                 // for <exe dir>/config.json
    std::filesystem::path working_dir;                                    // for relative env paths
    std::optional<std::filesystem::path> config_override;                 // --config FILE
};

struct loaded_config
{
    config value;
    std::vector<std::string> warnings; // e.g. a value <= 0 that fell back to its default
    // For check-config: one row per setting, secrets already masked.
    struct shown
    {
        std::string env;
        std::string json;
        std::string value;
        config_origin origin;
    };
    std::vector<shown> effective;
};

// Reads the environment and config.json. Fails on the first invalid value.
// Creates the file named by CPA_MANAGER_CONFIG with defaults when it does not exist (as upstream).
struct config_result
{
    std::optional<loaded_config> ok;
    std::optional<config_error> error;
};
config_result load_config(const config_inputs& in);

// config_inputs bound to the real process environment.
config_inputs process_config_inputs(std::optional<std::filesystem::path> config_override);

// The documented settings, in display order.
struct config_field_doc
{
    std::string_view env;
    std::string_view json;
    std::string_view fallback;
    std::string_view help;
};
std::span<const config_field_doc> config_field_docs();

} // namespace cpamd
