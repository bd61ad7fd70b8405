#include <algorithm>
#include <cpamd/store/latency_histogram.hpp>
#include <cpamd/store/migrations.hpp>
#include <cpamd/usage/sha256.hpp>
#include <fmt/format.h>
#include <memory>
#include <stdexcept>

namespace cpamd::store
{
namespace
{

// v1: the initial schema. Design notes live in docs/storage.md.
//  * dim interns every repeated string; id 0 stands for "absent" so events and rollups store 0
//    (no bytes in a SQLite record) instead of NULL or text.
//  * events keep the time as nanoseconds: the upstream's RFC3339Nano `timestamp` string is
//    rebuilt exactly from it, so no string is stored.
//  * settings, model prices and API key aliases have the upstream Manager Server's names and
//    columns and are created only if missing, so a CPA Manager Plus database opens with its
//    admin credential, data key settings, prices and aliases intact.
//  * one unique index serves both dedup and time-range reads: (ts_ns, hash64), hash64 being the
//    first 8 bytes of the event hash. The hash covers the timestamp, so equal hashes always have
//    equal ts_ns; two different events would need the same nanosecond AND the same 64-bit hash
//    prefix to collide. Inserts stay local to the newest end of the index.
//  * the full hash is stored only when it cannot be recomputed from the row (a foreign hash
//    kept verbatim from an import); `request_id` is an INTEGER when it is CPA's 8-hex form; and
//    created_offset_ms is created_at_ms minus the event's millisecond: all to keep rows small.
constexpr std::string_view schema_v1 = R"sql(
CREATE TABLE IF NOT EXISTS settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at_ms INTEGER NOT NULL
);
CREATE TABLE dim (
    id INTEGER PRIMARY KEY,
    kind INTEGER NOT NULL,
    value TEXT NOT NULL,
    UNIQUE (kind, value)
);
CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    ts_ns INTEGER NOT NULL,
    hash64 INTEGER NOT NULL,
    hash BLOB,
    request_id,
    provider INTEGER NOT NULL DEFAULT 0,
    executor INTEGER NOT NULL DEFAULT 0,
    model INTEGER NOT NULL DEFAULT 0,
    requested_model INTEGER NOT NULL DEFAULT 0,
    resolved_model INTEGER NOT NULL DEFAULT 0,
    endpoint INTEGER NOT NULL DEFAULT 0,
    method INTEGER NOT NULL DEFAULT 0,
    path INTEGER NOT NULL DEFAULT 0,
    reasoning_effort INTEGER NOT NULL DEFAULT 0,
    service_tier INTEGER NOT NULL DEFAULT 0,
    request_service_tier INTEGER NOT NULL DEFAULT 0,
    response_service_tier INTEGER NOT NULL DEFAULT 0,
    cache_input_mode INTEGER NOT NULL DEFAULT 0,
    client_ip INTEGER NOT NULL DEFAULT 0,
    x_forwarded_for INTEGER NOT NULL DEFAULT 0,
    user_agent INTEGER NOT NULL DEFAULT 0,
    auth_type INTEGER NOT NULL DEFAULT 0,
    auth_index INTEGER NOT NULL DEFAULT 0,
    source INTEGER NOT NULL DEFAULT 0,
    source_hash INTEGER NOT NULL DEFAULT 0,
    api_key INTEGER NOT NULL DEFAULT 0,
    account_snapshot INTEGER NOT NULL DEFAULT 0,
    auth_label_snapshot INTEGER NOT NULL DEFAULT 0,
    auth_file_snapshot INTEGER NOT NULL DEFAULT 0,
    auth_provider_snapshot INTEGER NOT NULL DEFAULT 0,
    auth_project_id_snapshot INTEGER NOT NULL DEFAULT 0,
    auth_snapshot_at_ms INTEGER,
    input_tokens INTEGER NOT NULL DEFAULT 0,
    output_tokens INTEGER NOT NULL DEFAULT 0,
    reasoning_tokens INTEGER NOT NULL DEFAULT 0,
    cached_tokens INTEGER NOT NULL DEFAULT 0,
    cache_tokens INTEGER NOT NULL DEFAULT 0,
    cache_read_tokens INTEGER NOT NULL DEFAULT 0,
    cache_creation_tokens INTEGER NOT NULL DEFAULT 0,
    total_tokens INTEGER NOT NULL DEFAULT 0,
    cost_uncached INTEGER NOT NULL DEFAULT 0,
    cost_cache_read INTEGER NOT NULL DEFAULT 0,
    cost_cache_write INTEGER NOT NULL DEFAULT 0,
    cost_output INTEGER NOT NULL DEFAULT 0,
    cost_reasoning INTEGER NOT NULL DEFAULT 0,
    semantics INTEGER NOT NULL DEFAULT 0,
    latency_ms INTEGER,
    ttft_ms INTEGER,
    failed INTEGER NOT NULL DEFAULT 0,
    fail_status_code INTEGER,
    fail_summary TEXT,
    response_metadata TEXT,
    header_quota_recover_at_ms INTEGER,
    header_quota_used_percent REAL,
    header_quota_plan_type INTEGER NOT NULL DEFAULT 0,
    header_error_kind INTEGER NOT NULL DEFAULT 0,
    header_error_code INTEGER NOT NULL DEFAULT 0,
    header_trace_id TEXT,
    created_offset_ms INTEGER NOT NULL
);
CREATE UNIQUE INDEX events_time_hash ON events (ts_ns, hash64);
CREATE TABLE rollup_hour (
    hour INTEGER NOT NULL,
    model INTEGER NOT NULL,
    provider INTEGER NOT NULL,
    auth_index INTEGER NOT NULL,
    api_key INTEGER NOT NULL,
    endpoint INTEGER NOT NULL,
    failed INTEGER NOT NULL,
    calls INTEGER NOT NULL,
    input_tokens INTEGER NOT NULL,
    output_tokens INTEGER NOT NULL,
    reasoning_tokens INTEGER NOT NULL,
    cached_tokens INTEGER NOT NULL,
    cache_tokens INTEGER NOT NULL,
    cache_read_tokens INTEGER NOT NULL,
    cache_creation_tokens INTEGER NOT NULL,
    total_tokens INTEGER NOT NULL,
    cost_uncached INTEGER NOT NULL,
    cost_cache_read INTEGER NOT NULL,
    cost_cache_write INTEGER NOT NULL,
    cost_output INTEGER NOT NULL,
    cost_reasoning INTEGER NOT NULL,
    latency_count INTEGER NOT NULL,
    latency_sum INTEGER NOT NULL,
    ttft_count INTEGER NOT NULL,
    ttft_sum INTEGER NOT NULL,
    latency_hist BLOB,
    PRIMARY KEY (hour, model, provider, auth_index, api_key, endpoint, failed)
) WITHOUT ROWID;
CREATE TABLE rejects (
    id INTEGER PRIMARY KEY,
    received_at_ms INTEGER NOT NULL,
    origin TEXT NOT NULL,
    reason TEXT NOT NULL,
    payload BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS model_prices (
    model TEXT PRIMARY KEY,
    prompt_per_1m REAL NOT NULL DEFAULT 0,
    completion_per_1m REAL NOT NULL DEFAULT 0,
    cache_per_1m REAL NOT NULL DEFAULT 0,
    cache_read_per_1m REAL,
    cache_creation_per_1m REAL,
    prompt_configured INTEGER NOT NULL DEFAULT 1,
    completion_configured INTEGER NOT NULL DEFAULT 1,
    cache_read_configured INTEGER NOT NULL DEFAULT 0,
    cache_creation_configured INTEGER NOT NULL DEFAULT 0,
    source TEXT,
    source_model_id TEXT,
    raw_json TEXT,
    updated_at_ms INTEGER NOT NULL DEFAULT 0,
    synced_at_ms INTEGER
);
CREATE TABLE IF NOT EXISTS model_price_context_tiers (
    model TEXT NOT NULL REFERENCES model_prices (model) ON DELETE CASCADE,
    threshold_tokens INTEGER NOT NULL,
    prompt_per_1m REAL, completion_per_1m REAL, cache_per_1m REAL, cache_read_per_1m REAL, cache_creation_per_1m REAL,
    prompt_configured INTEGER NOT NULL DEFAULT 0, completion_configured INTEGER NOT NULL DEFAULT 0,
    cache_configured INTEGER NOT NULL DEFAULT 0, cache_read_configured INTEGER NOT NULL DEFAULT 0,
    cache_creation_configured INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (model, threshold_tokens)
);
CREATE TABLE IF NOT EXISTS model_price_service_tiers (
    model TEXT NOT NULL REFERENCES model_prices (model) ON DELETE CASCADE,
    mode TEXT NOT NULL,
    service_tier TEXT NOT NULL,
    prompt_per_1m REAL, completion_per_1m REAL, cache_per_1m REAL, cache_read_per_1m REAL, cache_creation_per_1m REAL,
    prompt_configured INTEGER NOT NULL DEFAULT 0, completion_configured INTEGER NOT NULL DEFAULT 0,
    cache_configured INTEGER NOT NULL DEFAULT 0, cache_read_configured INTEGER NOT NULL DEFAULT 0,
    cache_creation_configured INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (model, mode, service_tier)
);
CREATE TABLE IF NOT EXISTS api_key_aliases (
    api_key_hash TEXT PRIMARY KEY,
    alias TEXT NOT NULL,
    updated_at_ms INTEGER NOT NULL
);
)sql";

// v2: rejects are idempotent. A batch the collector spooled and then replayed after a crash
// can hold a record that was already rejected; payload_hash (SHA-256 of the raw bytes, computed
// by cpamd_sha256) is unique, the writer inserts with OR IGNORE, and copies already stored by v1
// are dropped here (the oldest row of each payload stays).
constexpr std::string_view schema_v2 = R"sql(
ALTER TABLE rejects ADD COLUMN payload_hash BLOB;
UPDATE rejects SET payload_hash = cpamd_sha256(payload);
DELETE FROM rejects WHERE id NOT IN (SELECT min(id) FROM rejects GROUP BY payload_hash);
CREATE UNIQUE INDEX rejects_payload_hash ON rejects (payload_hash);
)sql";

// v3: rollup deltas of deferred batches. The writer stores each batch's rollup sums as one row
// here, in the batch's transaction, and later folds them into rollup_hour in one go;
// rollup_hour plus these rows always hold exactly the sums of the events.
constexpr std::string_view schema_v3 = R"sql(
CREATE TABLE rollup_pending (
    id INTEGER PRIMARY KEY,
    events INTEGER NOT NULL,
    deltas BLOB NOT NULL
);
)sql";

// v4: what cost needs, kept per event and per rollup row (docs/storage.md, "Cost in rollups").
//  * events: response_model (CPA v7.3's `response_model`, interned like the other models) and
//    stream (NULL when the record did not say).
//  * rollup_hour gains three key columns: billing_model (response_model, else resolved_model),
//    service_tier (the effective tier) and context_floor (the floor of the row's input size band
//    among the configured context thresholds, context_bands.hpp). The old rows are copied with
//    zeros there; the writer re-derives every hour from its events in the background at the
//    next start (no context band state yet), and until then cost reads those hours raw.
//  * rollup_pending rows get a format: 1 = the seven-field keys of v3, 2 = the ten-field keys.
constexpr std::string_view schema_v4 = R"sql(
ALTER TABLE events ADD COLUMN response_model INTEGER NOT NULL DEFAULT 0;
ALTER TABLE events ADD COLUMN stream INTEGER;
CREATE TABLE rollup_hour_v4 (
    hour INTEGER NOT NULL,
    model INTEGER NOT NULL,
    provider INTEGER NOT NULL,
    auth_index INTEGER NOT NULL,
    api_key INTEGER NOT NULL,
    endpoint INTEGER NOT NULL,
    failed INTEGER NOT NULL,
    billing_model INTEGER NOT NULL,
    service_tier INTEGER NOT NULL,
    context_floor INTEGER NOT NULL,
    calls INTEGER NOT NULL,
    input_tokens INTEGER NOT NULL,
    output_tokens INTEGER NOT NULL,
    reasoning_tokens INTEGER NOT NULL,
    cached_tokens INTEGER NOT NULL,
    cache_tokens INTEGER NOT NULL,
    cache_read_tokens INTEGER NOT NULL,
    cache_creation_tokens INTEGER NOT NULL,
    total_tokens INTEGER NOT NULL,
    cost_uncached INTEGER NOT NULL,
    cost_cache_read INTEGER NOT NULL,
    cost_cache_write INTEGER NOT NULL,
    cost_output INTEGER NOT NULL,
    cost_reasoning INTEGER NOT NULL,
    latency_count INTEGER NOT NULL,
    latency_sum INTEGER NOT NULL,
    ttft_count INTEGER NOT NULL,
    ttft_sum INTEGER NOT NULL,
    latency_hist BLOB,
    PRIMARY KEY (hour, model, provider, auth_index, api_key, endpoint, failed, billing_model, service_tier,
                 context_floor)
) WITHOUT ROWID;
INSERT INTO rollup_hour_v4
SELECT hour, model, provider, auth_index, api_key, endpoint, failed, 0, 0, 0, calls, input_tokens,
       output_tokens, reasoning_tokens, cached_tokens, cache_tokens, cache_read_tokens, cache_creation_tokens,
       total_tokens, cost_uncached, cost_cache_read, cost_cache_write, cost_output, cost_reasoning,
       latency_count, latency_sum, ttft_count, ttft_sum, latency_hist
FROM rollup_hour;
DROP TABLE rollup_hour;
ALTER TABLE rollup_hour_v4 RENAME TO rollup_hour;
ALTER TABLE rollup_pending ADD COLUMN format INTEGER NOT NULL DEFAULT 1;
DELETE FROM settings WHERE key = 'rollup_context_bands_v1';
)sql";

// v5: projections (projections.hpp; docs/storage.md, "Projections"), made by the writer from raw
// events per closed hour. Every hour that has events is queued; the writer projects them in the
// background, newest first, and until then readers read those hours raw.
constexpr std::string_view schema_v5 = R"sql(
CREATE TABLE proj_todo (hour INTEGER PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE proj_hours (
    hour INTEGER PRIMARY KEY,
    tasks INTEGER NOT NULL,
    failed_tasks INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE proj_model_hour (
    hour INTEGER NOT NULL,
    model INTEGER NOT NULL,
    provider INTEGER NOT NULL,
    endpoint INTEGER NOT NULL,
    failed INTEGER NOT NULL,
    billing_model INTEGER NOT NULL,
    service_tier INTEGER NOT NULL,
    context_floor INTEGER NOT NULL,
    calls INTEGER NOT NULL,
    input_tokens INTEGER NOT NULL,
    output_tokens INTEGER NOT NULL,
    reasoning_tokens INTEGER NOT NULL,
    cached_tokens INTEGER NOT NULL,
    cache_tokens INTEGER NOT NULL,
    cache_read_tokens INTEGER NOT NULL,
    cache_creation_tokens INTEGER NOT NULL,
    total_tokens INTEGER NOT NULL,
    cost_uncached INTEGER NOT NULL,
    cost_cache_read INTEGER NOT NULL,
    cost_cache_write INTEGER NOT NULL,
    cost_output INTEGER NOT NULL,
    cost_reasoning INTEGER NOT NULL,
    latency_samples INTEGER NOT NULL,
    latency_sum INTEGER NOT NULL,
    ttft_samples INTEGER NOT NULL,
    ttft_sum INTEGER NOT NULL,
    zero_token_calls INTEGER NOT NULL,
    last_seen_ns INTEGER NOT NULL,
    latency_hist BLOB,
    ttft_hist BLOB,
    PRIMARY KEY (hour, model, provider, endpoint, failed, billing_model, service_tier, context_floor)
) WITHOUT ROWID;
CREATE TABLE proj_day_todo (day INTEGER PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE proj_days (day INTEGER PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE proj_identity_day (
    day INTEGER NOT NULL,
    api_key INTEGER NOT NULL,
    auth_index INTEGER NOT NULL,
    source INTEGER NOT NULL,
    source_hash INTEGER NOT NULL,
    auth_file_snapshot INTEGER NOT NULL,
    account_snapshot INTEGER NOT NULL,
    auth_label_snapshot INTEGER NOT NULL,
    auth_provider_snapshot INTEGER NOT NULL,
    auth_project_id_snapshot INTEGER NOT NULL,
    provider INTEGER NOT NULL,
    endpoint INTEGER NOT NULL,
    model INTEGER NOT NULL,
    failed INTEGER NOT NULL,
    billing_model INTEGER NOT NULL,
    service_tier INTEGER NOT NULL,
    context_floor INTEGER NOT NULL,
    calls INTEGER NOT NULL,
    input_tokens INTEGER NOT NULL,
    output_tokens INTEGER NOT NULL,
    reasoning_tokens INTEGER NOT NULL,
    cached_tokens INTEGER NOT NULL,
    cache_tokens INTEGER NOT NULL,
    cache_read_tokens INTEGER NOT NULL,
    cache_creation_tokens INTEGER NOT NULL,
    total_tokens INTEGER NOT NULL,
    cost_uncached INTEGER NOT NULL,
    cost_cache_read INTEGER NOT NULL,
    cost_cache_write INTEGER NOT NULL,
    cost_output INTEGER NOT NULL,
    cost_reasoning INTEGER NOT NULL,
    latency_samples INTEGER NOT NULL,
    latency_sum INTEGER NOT NULL,
    zero_token_calls INTEGER NOT NULL,
    last_seen_ns INTEGER NOT NULL,
    last_event_id INTEGER NOT NULL,
    PRIMARY KEY (day, api_key, auth_index, source, source_hash, auth_file_snapshot, account_snapshot,
                 auth_label_snapshot, auth_provider_snapshot, auth_project_id_snapshot, provider, endpoint, model,
                 failed, billing_model, service_tier, context_floor)
) WITHOUT ROWID;
INSERT INTO proj_todo (hour) SELECT DISTINCT ts_ns / 3600000000000 FROM events;
INSERT INTO proj_day_todo (day) SELECT DISTINCT hour / 24 FROM proj_todo;
)sql";

// v6: rollup_hour loses api_key from its key. Nothing reads the live hourly rollups per API
// key (the dashboard and the price usage summary want models and channels; the monitoring routes
// read keys from proj_identity_day and raw events), and the key tripled the rows: 73 of the 352
// bytes per event at 1 M events. The rows are summed per new key, their latency histograms
// merged (cpamd_hist_union). rollup_pending rows keep their format (1 or 2): the API key in
// their entries is read and dropped.
constexpr std::string_view schema_v6 = R"sql(
CREATE TABLE rollup_hour_v6 (
    hour INTEGER NOT NULL,
    model INTEGER NOT NULL,
    provider INTEGER NOT NULL,
    auth_index INTEGER NOT NULL,
    endpoint INTEGER NOT NULL,
    failed INTEGER NOT NULL,
    billing_model INTEGER NOT NULL,
    service_tier INTEGER NOT NULL,
    context_floor INTEGER NOT NULL,
    calls INTEGER NOT NULL,
    input_tokens INTEGER NOT NULL,
    output_tokens INTEGER NOT NULL,
    reasoning_tokens INTEGER NOT NULL,
    cached_tokens INTEGER NOT NULL,
    cache_tokens INTEGER NOT NULL,
    cache_read_tokens INTEGER NOT NULL,
    cache_creation_tokens INTEGER NOT NULL,
    total_tokens INTEGER NOT NULL,
    cost_uncached INTEGER NOT NULL,
    cost_cache_read INTEGER NOT NULL,
    cost_cache_write INTEGER NOT NULL,
    cost_output INTEGER NOT NULL,
    cost_reasoning INTEGER NOT NULL,
    latency_count INTEGER NOT NULL,
    latency_sum INTEGER NOT NULL,
    ttft_count INTEGER NOT NULL,
    ttft_sum INTEGER NOT NULL,
    latency_hist BLOB,
    PRIMARY KEY (hour, model, provider, auth_index, endpoint, failed, billing_model, service_tier, context_floor)
) WITHOUT ROWID;
INSERT INTO rollup_hour_v6
SELECT hour, model, provider, auth_index, endpoint, failed, billing_model, service_tier, context_floor,
       sum(calls), sum(input_tokens), sum(output_tokens), sum(reasoning_tokens), sum(cached_tokens),
       sum(cache_tokens), sum(cache_read_tokens), sum(cache_creation_tokens), sum(total_tokens),
       sum(cost_uncached), sum(cost_cache_read), sum(cost_cache_write), sum(cost_output), sum(cost_reasoning),
       sum(latency_count), sum(latency_sum), sum(ttft_count), sum(ttft_sum), cpamd_hist_union(latency_hist)
FROM rollup_hour
GROUP BY hour, model, provider, auth_index, endpoint, failed, billing_model, service_tier, context_floor;
DROP TABLE rollup_hour;
ALTER TABLE rollup_hour_v6 RENAME TO rollup_hour;
)sql";

// v7: more hourly projections (projections.hpp). proj_model_hour.tasks counts the approximate
// tasks wholly inside the row and proj_task_span lists, per task that spans several rows, each
// of its rows (a filtered full summary reads projections); proj_key_hour holds the calls per
// hour and API key (the heatmap's top keys); proj_source_hour and proj_health_slot serve the
// dashboard (dashboard_rows.hpp). The hourly projections are made again (queued; read raw
// until then); the daily ones are unchanged. event_count keeps the number of events
// (event_count.hpp).
constexpr std::string_view schema_v7 = R"sql(
ALTER TABLE proj_model_hour ADD COLUMN tasks INTEGER NOT NULL DEFAULT 0;
CREATE TABLE proj_task_span (
    hour INTEGER NOT NULL,
    task INTEGER NOT NULL,
    model INTEGER NOT NULL,
    provider INTEGER NOT NULL,
    endpoint INTEGER NOT NULL,
    failed INTEGER NOT NULL,
    billing_model INTEGER NOT NULL,
    service_tier INTEGER NOT NULL,
    context_floor INTEGER NOT NULL,
    PRIMARY KEY (hour, task, model, provider, endpoint, failed, billing_model, service_tier, context_floor)
) WITHOUT ROWID;
CREATE TABLE proj_key_hour (
    hour INTEGER NOT NULL,
    api_key INTEGER NOT NULL,
    calls INTEGER NOT NULL,
    PRIMARY KEY (hour, api_key)
) WITHOUT ROWID;
CREATE TABLE proj_source_hour (
    hour INTEGER NOT NULL,
    source_hash INTEGER NOT NULL,
    auth_index INTEGER NOT NULL,
    calls INTEGER NOT NULL,
    failures INTEGER NOT NULL,
    last_seen_ns INTEGER NOT NULL,
    latency_samples INTEGER NOT NULL,
    latency_sum INTEGER NOT NULL,
    source INTEGER NOT NULL,
    account_snapshot INTEGER NOT NULL,
    auth_label_snapshot INTEGER NOT NULL,
    auth_provider_snapshot INTEGER NOT NULL,
    provider INTEGER NOT NULL,
    PRIMARY KEY (hour, source_hash, auth_index)
) WITHOUT ROWID;
CREATE TABLE proj_health_slot (
    slot INTEGER PRIMARY KEY,
    calls INTEGER NOT NULL,
    failures INTEGER NOT NULL,
    tokens INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE event_count (
    id INTEGER PRIMARY KEY CHECK (id = 0),
    events INTEGER NOT NULL
);
INSERT INTO event_count (id, events) SELECT 0, count(*) FROM events;
INSERT OR IGNORE INTO proj_todo (hour) SELECT hour FROM proj_hours;
DELETE FROM proj_model_hour;
DELETE FROM proj_hours;
)sql";

// v8: proj_usage_hour (usage_rows.hpp): per hour the usage of each API key and of each
// credential, priced when projected, so a filter by key, account or credential reads a few rows
// per hour instead of every event; proj_usage_span lists the tasks that span several of them;
// proj_hours.price_epoch says which prices an hour's rows carry, price_epoch the current ones.
// Every projected hour is queued to gain its rows and stays served meanwhile.
constexpr std::string_view schema_v8 = R"sql(
CREATE TABLE proj_usage_hour (
    kind INTEGER NOT NULL,
    hour INTEGER NOT NULL,
    api_key INTEGER NOT NULL,
    auth_index INTEGER NOT NULL,
    auth_file_snapshot INTEGER NOT NULL,
    source_hash INTEGER NOT NULL,
    source INTEGER NOT NULL,
    account_snapshot INTEGER NOT NULL,
    auth_label_snapshot INTEGER NOT NULL,
    auth_provider_snapshot INTEGER NOT NULL,
    auth_project_id_snapshot INTEGER NOT NULL,
    provider INTEGER NOT NULL,
    failed INTEGER NOT NULL,
    calls INTEGER NOT NULL,
    input_tokens INTEGER NOT NULL,
    output_tokens INTEGER NOT NULL,
    reasoning_tokens INTEGER NOT NULL,
    cached_tokens INTEGER NOT NULL,
    cache_tokens INTEGER NOT NULL,
    cache_read_tokens INTEGER NOT NULL,
    cache_creation_tokens INTEGER NOT NULL,
    total_tokens INTEGER NOT NULL,
    normalized_input INTEGER NOT NULL,
    cost_cache_read INTEGER NOT NULL,
    usd REAL NOT NULL,
    latency_samples INTEGER NOT NULL,
    latency_sum INTEGER NOT NULL,
    ttft_samples INTEGER NOT NULL,
    ttft_sum INTEGER NOT NULL,
    zero_token_calls INTEGER NOT NULL,
    last_seen_ns INTEGER NOT NULL,
    tasks INTEGER NOT NULL,
    latency_hist BLOB,
    ttft_hist BLOB,
    PRIMARY KEY (kind, hour, api_key, auth_index, auth_file_snapshot, source_hash, source, account_snapshot,
                 auth_label_snapshot, auth_provider_snapshot, auth_project_id_snapshot, provider, failed)
) WITHOUT ROWID;
CREATE TABLE proj_usage_span (
    kind INTEGER NOT NULL,
    hour INTEGER NOT NULL,
    task INTEGER NOT NULL,
    api_key INTEGER NOT NULL,
    auth_index INTEGER NOT NULL,
    auth_file_snapshot INTEGER NOT NULL,
    source_hash INTEGER NOT NULL,
    source INTEGER NOT NULL,
    account_snapshot INTEGER NOT NULL,
    auth_label_snapshot INTEGER NOT NULL,
    auth_provider_snapshot INTEGER NOT NULL,
    auth_project_id_snapshot INTEGER NOT NULL,
    provider INTEGER NOT NULL,
    failed INTEGER NOT NULL,
    PRIMARY KEY (kind, hour, task, api_key, auth_index, auth_file_snapshot, source_hash, source,
                 account_snapshot, auth_label_snapshot, auth_provider_snapshot, auth_project_id_snapshot, provider,
                 failed)
) WITHOUT ROWID;
CREATE TABLE price_epoch (
    id INTEGER PRIMARY KEY CHECK (id = 0),
    epoch INTEGER NOT NULL
);
INSERT INTO price_epoch (id, epoch) VALUES (0, 0);
ALTER TABLE proj_hours ADD COLUMN price_epoch INTEGER NOT NULL DEFAULT -1;
INSERT OR IGNORE INTO proj_todo (hour) SELECT hour FROM proj_hours;
)sql";

// v9 (identity_rows.hpp): proj_identity_hour, the identity rows of each ended hour of the current
// and the previous UTC day, so the partial days at the ends of a range are read as rows
// (proj_hours.identity_rows marks the hours that have them); proj_identity_block, the day rows
// summed over aligned blocks of 2 to 64 days (proj_blocks lists them); proj_identity_day.first_seen_ns,
// the oldest event of a row. The hours of the last two days are queued to gain their rows and stay
// served meanwhile; every projected day is queued and read raw until projected again (its old
// rows lack first_seen_ns).
constexpr std::string_view schema_v9 = R"sql(
CREATE TABLE proj_identity_hour (
    hour INTEGER NOT NULL,
    api_key INTEGER NOT NULL,
    auth_index INTEGER NOT NULL,
    source INTEGER NOT NULL,
    source_hash INTEGER NOT NULL,
    auth_file_snapshot INTEGER NOT NULL,
    account_snapshot INTEGER NOT NULL,
    auth_label_snapshot INTEGER NOT NULL,
    auth_provider_snapshot INTEGER NOT NULL,
    auth_project_id_snapshot INTEGER NOT NULL,
    provider INTEGER NOT NULL,
    endpoint INTEGER NOT NULL,
    model INTEGER NOT NULL,
    failed INTEGER NOT NULL,
    billing_model INTEGER NOT NULL,
    service_tier INTEGER NOT NULL,
    context_floor INTEGER NOT NULL,
    calls INTEGER NOT NULL,
    input_tokens INTEGER NOT NULL,
    output_tokens INTEGER NOT NULL,
    reasoning_tokens INTEGER NOT NULL,
    cached_tokens INTEGER NOT NULL,
    cache_tokens INTEGER NOT NULL,
    cache_read_tokens INTEGER NOT NULL,
    cache_creation_tokens INTEGER NOT NULL,
    total_tokens INTEGER NOT NULL,
    cost_uncached INTEGER NOT NULL,
    cost_cache_read INTEGER NOT NULL,
    cost_cache_write INTEGER NOT NULL,
    cost_output INTEGER NOT NULL,
    cost_reasoning INTEGER NOT NULL,
    latency_samples INTEGER NOT NULL,
    latency_sum INTEGER NOT NULL,
    zero_token_calls INTEGER NOT NULL,
    last_seen_ns INTEGER NOT NULL,
    last_event_id INTEGER NOT NULL,
    first_seen_ns INTEGER NOT NULL,
    PRIMARY KEY (hour, api_key, auth_index, source, source_hash, auth_file_snapshot, account_snapshot,
                 auth_label_snapshot, auth_provider_snapshot, auth_project_id_snapshot, provider, endpoint, model,
                 failed, billing_model, service_tier, context_floor)
) WITHOUT ROWID;
CREATE TABLE proj_identity_block (
    level INTEGER NOT NULL,
    block INTEGER NOT NULL,
    api_key INTEGER NOT NULL,
    auth_index INTEGER NOT NULL,
    source INTEGER NOT NULL,
    source_hash INTEGER NOT NULL,
    auth_file_snapshot INTEGER NOT NULL,
    account_snapshot INTEGER NOT NULL,
    auth_label_snapshot INTEGER NOT NULL,
    auth_provider_snapshot INTEGER NOT NULL,
    auth_project_id_snapshot INTEGER NOT NULL,
    provider INTEGER NOT NULL,
    endpoint INTEGER NOT NULL,
    model INTEGER NOT NULL,
    failed INTEGER NOT NULL,
    billing_model INTEGER NOT NULL,
    service_tier INTEGER NOT NULL,
    context_floor INTEGER NOT NULL,
    calls INTEGER NOT NULL,
    input_tokens INTEGER NOT NULL,
    output_tokens INTEGER NOT NULL,
    reasoning_tokens INTEGER NOT NULL,
    cached_tokens INTEGER NOT NULL,
    cache_tokens INTEGER NOT NULL,
    cache_read_tokens INTEGER NOT NULL,
    cache_creation_tokens INTEGER NOT NULL,
    total_tokens INTEGER NOT NULL,
    cost_uncached INTEGER NOT NULL,
    cost_cache_read INTEGER NOT NULL,
    cost_cache_write INTEGER NOT NULL,
    cost_output INTEGER NOT NULL,
    cost_reasoning INTEGER NOT NULL,
    latency_samples INTEGER NOT NULL,
    latency_sum INTEGER NOT NULL,
    zero_token_calls INTEGER NOT NULL,
    last_seen_ns INTEGER NOT NULL,
    last_event_id INTEGER NOT NULL,
    first_seen_ns INTEGER NOT NULL,
    PRIMARY KEY (level, block, api_key, auth_index, source, source_hash, auth_file_snapshot, account_snapshot,
                 auth_label_snapshot, auth_provider_snapshot, auth_project_id_snapshot, provider, endpoint, model,
                 failed, billing_model, service_tier, context_floor)
) WITHOUT ROWID;
CREATE TABLE proj_blocks (
    level INTEGER NOT NULL,
    block INTEGER NOT NULL,
    PRIMARY KEY (level, block)
) WITHOUT ROWID;
ALTER TABLE proj_hours ADD COLUMN identity_rows INTEGER NOT NULL DEFAULT 0;
INSERT OR IGNORE INTO proj_todo (hour)
    SELECT hour FROM proj_hours WHERE hour >= (CAST(unixepoch() AS INTEGER) / 86400 - 1) * 24;
ALTER TABLE proj_identity_day ADD COLUMN first_seen_ns INTEGER NOT NULL DEFAULT 0;
INSERT OR IGNORE INTO proj_day_todo (day) SELECT day FROM proj_days;
DELETE FROM proj_days;
DELETE FROM proj_identity_day;
)sql";

// v10 (docs/alerts.md): the alert history, what fired, resolved or was sent as a test, and how
// each sink took it (`deliveries`, a JSON array filled in as the attempts end).
constexpr std::string_view schema_v10 = R"sql(
CREATE TABLE alert_history (
    id INTEGER PRIMARY KEY,
    at_ms INTEGER NOT NULL,
    rule TEXT NOT NULL,
    kind TEXT NOT NULL,
    subject TEXT NOT NULL,
    event TEXT NOT NULL,
    level TEXT NOT NULL,
    value REAL NOT NULL,
    threshold REAL NOT NULL,
    message TEXT NOT NULL,
    deliveries TEXT NOT NULL DEFAULT '[]'
);
)sql";

constexpr migration migrations[] = {
    {1, schema_v1},
    {2, schema_v2},
    {3, schema_v3},
    {4, schema_v4},
    {5, schema_v5},
    {6, schema_v6},
    {7, schema_v7},
    {8, schema_v8},
    {9, schema_v9},
    {10, schema_v10},
};

// SQL function cpamd_sha256(blob): the 32-byte SHA-256 of its argument (v2 hashes old rejects).
void sha256_function(sqlite3_context* ctx, int, sqlite3_value** argv)
{
    auto* p = static_cast<const char*>(sqlite3_value_blob(argv[0]));
    auto digest =
        usage::sha256(std::string_view(p ? p : "", static_cast<std::size_t>(sqlite3_value_bytes(argv[0]))));
    sqlite3_result_blob(ctx, digest.data(), static_cast<int>(digest.size()), SQLITE_TRANSIENT);
}

// Aggregate cpamd_hist_union(blob): the merged encoded latency histogram of its rows, NULL when
// every row's is NULL (v6 sums rollup rows).
void hist_union_step(sqlite3_context* ctx, int, sqlite3_value** argv)
{
    auto** acc = static_cast<std::string**>(sqlite3_aggregate_context(ctx, sizeof(std::string*)));
    if (!acc)
        return sqlite3_result_error_nomem(ctx);
    if (sqlite3_value_type(argv[0]) == SQLITE_NULL)
        return;
    auto* p = static_cast<const char*>(sqlite3_value_blob(argv[0]));
    std::string_view hist(p ? p : "", static_cast<std::size_t>(sqlite3_value_bytes(argv[0])));
    if (!*acc)
        *acc = new std::string(hist);
    else
        **acc = latency_histogram::merged(**acc, hist);
}

void hist_union_final(sqlite3_context* ctx)
{
    auto** acc = static_cast<std::string**>(sqlite3_aggregate_context(ctx, 0));
    std::unique_ptr<std::string> merged(acc ? *acc : nullptr);
    if (merged)
        sqlite3_result_blob(ctx, merged->data(), static_cast<int>(merged->size()), SQLITE_TRANSIENT);
    else
        sqlite3_result_null(ctx);
}

void register_functions(connection& db)
{
    int rc = sqlite3_create_function_v2(
        db.handle(),
        "cpamd_hist_union",
        1,
        SQLITE_UTF8 | SQLITE_DETERMINISTIC,
        nullptr,
        nullptr,
        hist_union_step,
        hist_union_final,
        nullptr
    );
    if (rc != SQLITE_OK)
        throw sqlite_error(rc, "register cpamd_hist_union");
    rc = sqlite3_create_function_v2(
        db.handle(),
        "cpamd_sha256",
        1,
        SQLITE_UTF8 | SQLITE_DETERMINISTIC,
        nullptr,
        sha256_function,
        nullptr,
        nullptr,
        nullptr
    );
    if (rc != SQLITE_OK)
        throw sqlite_error(rc, "register cpamd_sha256");
}

int user_version(connection& db)
{
    return static_cast<int>(db.query_int("PRAGMA user_version").value_or(0));
}

} // namespace

std::span<const migration> all_migrations()
{
    return migrations;
}
int latest_schema_version()
{
    return migrations[std::size(migrations) - 1].version;
}

void migrate_to(connection& db, int target)
{
    int current = user_version(db);
    if (current > latest_schema_version())
        throw std::runtime_error(fmt::format(
            "the database is at schema version {} but this cpamd knows only up to {}: upgrade cpamd",
            current,
            latest_schema_version()
        ));
    if (current < std::min(target, latest_schema_version()))
        register_functions(db);
    for (const auto& m : migrations)
    {
        if (m.version <= current || m.version > target)
            continue;
        transaction tx(db);
        db.exec(m.sql);
        db.exec(fmt::format("PRAGMA user_version = {}", m.version));
        tx.commit();
        current = m.version;
    }
}

void migrate(connection& db)
{
    migrate_to(db, latest_schema_version());
}

} // namespace cpamd::store
