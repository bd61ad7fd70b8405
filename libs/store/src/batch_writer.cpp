#include "rollup_batch.hpp"
#include "rollup_delta.hpp"

#include <cpamd/core/hex.hpp>
#include <cpamd/store/batch_writer.hpp>
#include <cpamd/store/context_bands.hpp>
#include <cpamd/store/event_count.hpp>
#include <cpamd/store/latency_histogram.hpp>
#include <cpamd/store/projections.hpp>
#include <cpamd/usage/event_hash.hpp>
#include <cpamd/usage/limits.hpp>
#include <cpamd/usage/sha256.hpp>
#include <cpamd/usage/timestamp.hpp>
#include <fmt/format.h>
#include <stdexcept>
#include <unordered_set>

namespace cpamd::store
{
namespace
{

constexpr std::int64_t ns_per_hour = 3600LL * 1000 * 1000 * 1000;

std::string_view blob_of(sqlite3_value* v)
{
    auto p = static_cast<const char*>(sqlite3_value_blob(v)); // null for NULL and empty blobs
    return std::string_view(p ? p : "", static_cast<std::size_t>(sqlite3_value_bytes(v)));
}

// SQL function cpamd_hist_merge(a, b): the merged histogram of two encoded histograms. Runs once
// per rollup row a batch touches, so the usual case merges the bytes without decoding them.
void hist_merge(sqlite3_context* ctx, int, sqlite3_value** argv)
{
    auto out = latency_histogram::merged(blob_of(argv[0]), blob_of(argv[1]));
    sqlite3_result_blob64(ctx, out.data(), out.size(), SQLITE_TRANSIENT);
}

constexpr const char* insert_event_sql = R"sql(
INSERT OR IGNORE INTO events (
    ts_ns, hash64, hash, request_id, provider, executor, model, requested_model, resolved_model, endpoint, method, path,
    reasoning_effort, service_tier, request_service_tier, response_service_tier, cache_input_mode,
    client_ip, x_forwarded_for, user_agent, auth_type, auth_index, source, source_hash, api_key,
    account_snapshot, auth_label_snapshot, auth_file_snapshot, auth_provider_snapshot, auth_project_id_snapshot,
    auth_snapshot_at_ms, input_tokens, output_tokens, reasoning_tokens, cached_tokens, cache_tokens,
    cache_read_tokens, cache_creation_tokens, total_tokens, cost_uncached, cost_cache_read, cost_cache_write,
    cost_output, cost_reasoning, semantics, latency_ms, ttft_ms, failed, fail_status_code, fail_summary,
    response_metadata, header_quota_recover_at_ms, header_quota_used_percent, header_quota_plan_type,
    header_error_kind, header_error_code, header_trace_id, created_offset_ms, response_model, stream)
VALUES (?1, ?58, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22,
        ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32, ?33, ?34, ?35, ?36, ?37, ?38, ?39, ?40, ?41, ?42, ?43,
        ?44, ?45, ?46, ?47, ?48, ?49, ?50, ?51, ?52, ?53, ?54, ?55, ?56, ?57, ?59, ?60)
)sql";

// insert_rollup_sql (rollup_batch.hpp) with the sums added to an existing row.
const std::string upsert_rollup_sql = std::string(insert_rollup_sql) + R"sql(
ON CONFLICT (hour, model, provider, auth_index, endpoint, failed, billing_model, service_tier, context_floor)
DO UPDATE SET
    calls = calls + excluded.calls,
    input_tokens = input_tokens + excluded.input_tokens,
    output_tokens = output_tokens + excluded.output_tokens,
    reasoning_tokens = reasoning_tokens + excluded.reasoning_tokens,
    cached_tokens = cached_tokens + excluded.cached_tokens,
    cache_tokens = cache_tokens + excluded.cache_tokens,
    cache_read_tokens = cache_read_tokens + excluded.cache_read_tokens,
    cache_creation_tokens = cache_creation_tokens + excluded.cache_creation_tokens,
    total_tokens = total_tokens + excluded.total_tokens,
    cost_uncached = cost_uncached + excluded.cost_uncached,
    cost_cache_read = cost_cache_read + excluded.cost_cache_read,
    cost_cache_write = cost_cache_write + excluded.cost_cache_write,
    cost_output = cost_output + excluded.cost_output,
    cost_reasoning = cost_reasoning + excluded.cost_reasoning,
    latency_count = latency_count + excluded.latency_count,
    latency_sum = latency_sum + excluded.latency_sum,
    ttft_count = ttft_count + excluded.ttft_count,
    ttft_sum = ttft_sum + excluded.ttft_sum,
    latency_hist = cpamd_hist_merge(latency_hist, excluded.latency_hist)
)sql";

// The same sums for a row that is known to exist: no INSERT attempt, no conflict detection.
constexpr const char* update_rollup_sql = R"sql(
UPDATE rollup_hour SET
    calls = calls + ?7,
    input_tokens = input_tokens + ?8,
    output_tokens = output_tokens + ?9,
    reasoning_tokens = reasoning_tokens + ?10,
    cached_tokens = cached_tokens + ?11,
    cache_tokens = cache_tokens + ?12,
    cache_read_tokens = cache_read_tokens + ?13,
    cache_creation_tokens = cache_creation_tokens + ?14,
    total_tokens = total_tokens + ?15,
    cost_uncached = cost_uncached + ?16,
    cost_cache_read = cost_cache_read + ?17,
    cost_cache_write = cost_cache_write + ?18,
    cost_output = cost_output + ?19,
    cost_reasoning = cost_reasoning + ?20,
    latency_count = latency_count + ?21,
    latency_sum = latency_sum + ?22,
    ttft_count = ttft_count + ?23,
    ttft_sum = ttft_sum + ?24,
    latency_hist = cpamd_hist_merge(latency_hist, ?25)
WHERE hour = ?1 AND model = ?2 AND provider = ?3 AND auth_index = ?4 AND endpoint = ?5
    AND failed = ?6 AND billing_model = ?26 AND service_tier = ?27 AND context_floor = ?28
)sql";

// Rollup rows this writer has seen in the table. Only a hint: an UPDATE that finds no row
// falls back to the upsert, so a row deleted or rolled back behind our back costs one retry.
constexpr std::size_t max_known_rollups = 1 << 16;

// A deferred batch that would leave more events than this pending is folded instead: it bounds
// what a fold and every rollup read have to decode.
constexpr std::uint64_t max_pending_rollup_events = 1 << 16;

// What a reject becomes in its row: at most `max_payload` bytes of payload, and for a cut one the
// original size and SHA-256 in the reason. payload_hash is always the original's, so two different
// payloads that share a prefix stay two rows.
struct reject_row
{
    std::string reason;
    std::string_view payload;
    std::string hash; // 32 raw bytes
};

reject_row bounded_reject(const rejected_record& rj, std::size_t max_payload)
{
    reject_row row{rj.reason, rj.payload, {}};
    std::uint64_t original = rj.original_bytes;
    if (rj.original_sha256.size() == 32)
        row.hash = rj.original_sha256;
    else
    {
        auto digest = usage::sha256(rj.payload);
        row.hash.assign(reinterpret_cast<const char*>(digest.data()), digest.size());
    }
    if (original <= rj.payload.size())
        original = rj.payload.size();
    if (row.payload.size() > max_payload)
        row.payload = row.payload.substr(0, max_payload);
    if (original > row.payload.size())
        row.reason += fmt::format(
            " [payload cut to its first {} of {} bytes; sha256 {}]",
            row.payload.size(),
            original,
            hex::encode(row.hash)
        );
    return row;
}

// Deletes the oldest rejects beyond the row and byte caps; returns how many.
std::uint64_t drop_oldest_rejects(connection& db, const reject_limits& limits)
{
    auto totals = db.prepare("SELECT count(*), coalesce(sum(length(payload)), 0) FROM rejects");
    if (!totals.step())
        return 0;
    auto rows = static_cast<std::uint64_t>(totals.int64(0));
    auto bytes = static_cast<std::uint64_t>(totals.int64(1));
    if (rows <= limits.max_rows && bytes <= limits.max_bytes)
        return 0;
    auto oldest = db.prepare("SELECT id, length(payload) FROM rejects ORDER BY id");
    std::int64_t last = 0;
    std::uint64_t dropped = 0;
    while ((rows > limits.max_rows || bytes > limits.max_bytes) && oldest.step())
    {
        last = oldest.int64(0);
        bytes -= std::min<std::uint64_t>(bytes, static_cast<std::uint64_t>(oldest.int64(1)));
        --rows;
        ++dropped;
    }
    oldest.reset();
    auto del = db.prepare("DELETE FROM rejects WHERE id <= ?1");
    del.bind(1, last);
    del.run();
    return dropped;
}

} // namespace

std::int64_t event_time_ns(const usage::event& ev)
{
    // Outside the parser's range the nanoseconds would wrap (year 0001 became 1754).
    if (auto t = usage::parse_timestamp(ev.timestamp))
    {
        if (usage::in_event_range(*t))
            return t->seconds * 1000000000LL + t->nanos;
    }
    else if (usage::in_event_range_ms(ev.timestamp_ms))
        return ev.timestamp_ms * 1000000LL;
    throw std::out_of_range("store: event time " + ev.timestamp + " is outside the storable range");
}

std::string hash_to_blob(std::string_view hash)
{
    if (hash.size() == 64)
    {
        std::string out(32, '\0');
        bool ok = true;
        for (std::size_t i = 0; i < 32 && ok; ++i)
        {
            int hi = hex::digit_value(hash[2 * i]), lo = hex::digit_value(hash[2 * i + 1]);
            ok = hi >= 0 && lo >= 0 && !(hash[2 * i] >= 'A' && hash[2 * i] <= 'F') &&
                 !(hash[2 * i + 1] >= 'A' && hash[2 * i + 1] <= 'F');
            out[i] = static_cast<char>(hi * 16 + lo);
        }
        if (ok)
            return out;
    }
    return std::string(hash);
}

std::int64_t hash64_of(std::string_view hash)
{
    std::uint64_t v = 0;
    if (hash.size() == 64)
    {
        bool ok = true;
        for (std::size_t i = 0; i < 16 && ok; ++i)
        {
            int d = hex::digit_value(hash[i]);
            ok = d >= 0;
            v = (v << 4) | static_cast<std::uint64_t>(d < 0 ? 0 : d);
        }
        if (ok)
            return static_cast<std::int64_t>(v);
    }
    // A foreign hash of another shape: any well-spread 64 bits of it will do.
    auto digest = usage::sha256(hash);
    for (int i = 0; i < 8; ++i)
        v = (v << 8) | digest[static_cast<std::size_t>(i)];
    return static_cast<std::int64_t>(v);
}

std::optional<std::int64_t> compact_request_id(std::string_view id)
{
    if (id.size() != 8)
        return std::nullopt;
    std::int64_t v = 0;
    for (char c : id)
    {
        // Lower case only: "%08x" must give the id back exactly.
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return std::nullopt;
        v = v * 16 + hex::digit_value(c);
    }
    return v;
}

std::string blob_to_hash(std::string_view blob)
{
    if (blob.size() != 32)
        return std::string(blob);
    return hex::encode(blob);
}

struct batch_writer::impl
{
    impl(connection& c, reject_limits l)
        : db(c), dims(c), limits(l), insert_event(c.prepare(insert_event_sql, true)),
          upsert_rollup(c.prepare(upsert_rollup_sql, true)),
          update_rollup(c.prepare(update_rollup_sql, true)),
          // A replayed record that was already rejected is stored once (migration v2).
          insert_reject(c.prepare(
              "INSERT OR IGNORE INTO rejects (received_at_ms, origin, reason, payload, payload_hash) "
              "VALUES (?1, ?2, ?3, ?4, ?5)",
              true
          )),
          insert_pending(c.prepare(
              fmt::format(
                  "INSERT INTO rollup_pending (events, deltas, format) VALUES (?1, ?2, {})", delta_format
              ),
              true
          )),
          bands(c), pending_events(static_cast<std::uint64_t>(
                        c.query_int("SELECT coalesce(sum(events), 0) FROM rollup_pending").value_or(0)
                    ))
    {
    }

    connection& db;
    dim_writer dims;
    reject_limits limits;
    statement insert_event;
    statement upsert_rollup;
    statement update_rollup;
    statement insert_reject;
    statement insert_pending;
    context_band_cache bands; // the thresholds that key new rollup rows
    std::unordered_set<rollup_key, rollup_key_hash> known_rollups;
    rollup_batch rollups;         // the current batch's sums; empty between batches
    std::uint64_t pending_events; // events whose rollups wait in rollup_pending, as committed
    std::string deltas;           // scratch: the blob of a deferred batch

    // Returns the rollup key when the event was new. Recomputable hashes (everything the
    // collector stores) are not stored at all.
    std::optional<rollup_key> insert(const usage::event& ev, bool recomputable)
    {
        auto d = [&](dim_kind k, const std::string& v) { return dims.intern(k, v); };
        std::int64_t ts_ns = event_time_ns(ev);
        auto hash = recomputable ? std::string() : hash_to_blob(ev.event_hash);
        auto model = d(dim_kind::model, ev.model);
        auto provider = d(dim_kind::provider, ev.provider);
        auto endpoint = d(dim_kind::endpoint, ev.endpoint);
        auto auth_index = d(dim_kind::auth_index, ev.auth_index);
        auto api_key = d(dim_kind::api_key_hash, ev.api_key_hash);
        auto resolved_model = d(dim_kind::model, ev.resolved_model);
        auto response_model = d(dim_kind::model, ev.response_model);
        auto service_tier = d(dim_kind::service_tier, ev.service_tier);
        auto& s = insert_event;
        s.bind(1, ts_ns).bind(58, hash64_of(ev.event_hash));
        if (recomputable)
            s.bind_null(2);
        else
            s.bind_blob(2, hash.data(), hash.size());
        if (auto rid = compact_request_id(ev.request_id))
            s.bind(3, *rid);
        else
            s.bind_text_or_null(3, ev.request_id);
        s.bind(4, provider).bind(5, d(dim_kind::executor, ev.executor_type)).bind(6, model);
        s.bind(7, d(dim_kind::model, ev.requested_model)).bind(8, resolved_model);
        s.bind(9, endpoint).bind(10, d(dim_kind::method, ev.method)).bind(11, d(dim_kind::path, ev.path));
        s.bind(12, d(dim_kind::reasoning_effort, ev.reasoning_effort)).bind(13, service_tier);
        s.bind(14, d(dim_kind::service_tier, ev.request_service_tier));
        s.bind(15, d(dim_kind::service_tier, ev.response_service_tier));
        s.bind(16, d(dim_kind::cache_input_mode, ev.cache_input_mode));
        s.bind(17, d(dim_kind::client_ip, ev.client_ip))
            .bind(18, d(dim_kind::x_forwarded_for, ev.x_forwarded_for));
        s.bind(19, d(dim_kind::user_agent, ev.user_agent)).bind(20, d(dim_kind::auth_type, ev.auth_type));
        s.bind(21, auth_index)
            .bind(22, d(dim_kind::source, ev.source))
            .bind(23, d(dim_kind::source_hash, ev.source_hash));
        s.bind(24, api_key);
        s.bind(25, d(dim_kind::snapshot, ev.account_snapshot))
            .bind(26, d(dim_kind::snapshot, ev.auth_label_snapshot));
        s.bind(27, d(dim_kind::snapshot, ev.auth_file_snapshot));
        s.bind(28, d(dim_kind::snapshot, ev.auth_provider_snapshot));
        s.bind(29, d(dim_kind::snapshot, ev.auth_project_id_snapshot)).bind(30, ev.auth_snapshot_at_ms);
        const auto& t = ev.tokens;
        s.bind(31, t.input).bind(32, t.output).bind(33, t.reasoning).bind(34, t.cached).bind(35, t.cache);
        s.bind(36, t.cache_read).bind(37, t.cache_creation).bind(38, t.total);
        const auto& c = ev.cost;
        s.bind(39, c.input_uncached).bind(40, c.cache_read).bind(41, c.cache_write).bind(42, c.output);
        s.bind(43, c.reasoning).bind(44, static_cast<std::int64_t>(ev.semantics));
        s.bind(45, ev.latency_ms).bind(46, ev.ttft_ms).bind(47, std::int64_t{ev.failed ? 1 : 0});
        s.bind(48, ev.fail_status_code).bind_text_or_null(49, ev.fail_summary);
        s.bind_text_or_null(50, ev.response_metadata).bind(51, ev.header_quota_recover_at_ms);
        if (ev.header_quota_used_percent)
            s.bind(52, *ev.header_quota_used_percent);
        else
            s.bind_null(52);
        s.bind(53, d(dim_kind::quota_plan_type, ev.header_quota_plan_type));
        s.bind(54, d(dim_kind::error_kind, ev.header_error_kind))
            .bind(55, d(dim_kind::error_code, ev.header_error_code));
        s.bind_text_or_null(56, ev.header_trace_id).bind(57, ev.created_at_ms - ev.timestamp_ms);
        s.bind(59, response_model);
        if (ev.stream)
            s.bind(60, std::int64_t{*ev.stream ? 1 : 0});
        else
            s.bind_null(60);
        s.run_keeping_bindings(); // all 60 parameters are bound above
        if (db.changes() != 1)
            return std::nullopt;
        return rollup_key{
            ts_ns / ns_per_hour,
            model,
            provider,
            auth_index,
            endpoint,
            ev.failed ? 1 : 0,
            response_model != 0 ? response_model : resolved_model,
            service_tier,
            bands.floor_of(normalized_input(ev.cost))};
    }

    // Adds one key's sums: a plain UPDATE when the row is known to exist (≈ 13 % fewer instructions
    // than the upsert, which first tries an INSERT and detects the conflict), else the upsert.
    void flush_rollups()
    {
        if (known_rollups.size() > max_known_rollups)
            known_rollups.clear();
        rollups.for_each_in_key_order(
            [&](const rollup_key& k, const rollup_sums& r, const std::string& hist)
            {
                if (known_rollups.contains(k))
                {
                    bind_rollup_row(update_rollup, k, r, hist);
                    update_rollup.run_keeping_bindings(); // bind_rollup_row binds them all
                    if (db.changes() == 1)
                        return;
                }
                bind_rollup_row(upsert_rollup, k, r, hist);
                upsert_rollup.run_keeping_bindings();
                known_rollups.insert(k);
            }
        );
    }

    // Adds the deferred deltas to the current batch's sums and empties rollup_pending.
    void take_pending()
    {
        if (pending_events == 0)
            return;
        for_each_pending_delta(
            db,
            [&](const rollup_key& k, const rollup_sums& r, std::string_view hist) { rollups.add(k, r, hist); }
        );
        db.exec("DELETE FROM rollup_pending");
    }

    // Stores the current batch's sums in rollup_pending, for a later fold.
    void defer_rollups(std::uint64_t events)
    {
        deltas.clear();
        rollups.for_each_in_key_order([&](const rollup_key& k, const rollup_sums& r, const std::string& hist)
                                      { append_rollup_delta(deltas, k, r, hist); });
        insert_pending.bind(1, static_cast<std::int64_t>(events)).bind_blob(2, deltas.data(), deltas.size());
        insert_pending.run_keeping_bindings();
    }
};

batch_writer::batch_writer(connection& db, reject_limits limits)
{
    // Registered before the upsert statement is prepared, which refers to it.
    int rc = sqlite3_create_function_v2(
        db.handle(),
        "cpamd_hist_merge",
        2,
        SQLITE_UTF8 | SQLITE_DETERMINISTIC,
        nullptr,
        hist_merge,
        nullptr,
        nullptr,
        nullptr
    );
    if (rc != SQLITE_OK)
        throw sqlite_error(rc, "register cpamd_hist_merge");
    impl_ = std::make_unique<impl>(db, limits);
}

batch_writer::~batch_writer() = default;

write_counts batch_writer::write(
    std::span<const usage::event> events,
    std::span<const rejected_record> rejects,
    std::vector<bool>* per_event_inserted,
    rollup_mode mode
)
{
    const event_part part{events, {}};
    return write_parts(std::span(&part, 1), rejects, per_event_inserted, mode);
}

write_counts batch_writer::write_parts(
    std::span<const event_part> parts,
    std::span<const rejected_record> rejects,
    std::vector<bool>* per_event_inserted,
    rollup_mode mode
)
{
    write_counts counts;
    std::size_t total = 0;
    for (const auto& part : parts)
    {
        if (!part.hash_recomputable.empty() && part.hash_recomputable.size() != part.events.size())
            throw std::invalid_argument("batch_writer: one hash_recomputable flag per event, or none");
        total += part.events.size();
    }
    if (per_event_inserted)
        per_event_inserted->assign(total, false);
    auto& im = *impl_;
    bool fold = mode == rollup_mode::fold || im.pending_events + total > max_pending_rollup_events;
    try
    {
        transaction tx(im.db);
        im.bands.refresh();
        im.rollups.clear();
        std::vector<std::int64_t> hours; // of the inserted events, each once
        std::size_t i = 0;
        for (const auto& part : parts)
            for (std::size_t j = 0; j < part.events.size(); ++j)
            {
                const auto& ev = part.events[j];
                bool recomputable = part.hash_recomputable.empty() ? usage::hash_is_recomputable(ev)
                                                                   : part.hash_recomputable[j] != 0;
                auto key = im.insert(ev, recomputable);
                if (per_event_inserted)
                    (*per_event_inserted)[i] = key.has_value();
                ++i;
                if (!key)
                {
                    counts.duplicates++;
                    continue;
                }
                counts.inserted++;
                im.rollups.add(*key, ev);
                if (std::find(hours.begin(), hours.end(), key->hour) == hours.end())
                    hours.push_back(key->hour);
            }
        // Projections of those hours no longer hold every event (projections.hpp).
        invalidate_projected_hours(im.db, hours);
        add_to_event_count(im.db, static_cast<std::int64_t>(counts.inserted));
        if (fold)
        {
            im.take_pending();
            im.flush_rollups();
        }
        else if (counts.inserted)
            im.defer_rollups(counts.inserted);
        im.rollups.clear();
        auto now_ms = usage::now_utc().unix_ms();
        for (const auto& rj : rejects)
        {
            auto row = bounded_reject(rj, im.limits.max_payload);
            im.insert_reject.bind(1, now_ms).bind(2, rj.origin).bind(3, row.reason);
            im.insert_reject.bind_blob(4, row.payload.data(), row.payload.size());
            im.insert_reject.bind_blob(5, row.hash.data(), row.hash.size());
            im.insert_reject.run();
            counts.rejected++;
        }
        if (!rejects.empty())
            counts.rejects_dropped = drop_oldest_rejects(im.db, im.limits);
        tx.commit();
        im.dims.commit();
        im.pending_events = fold ? 0 : im.pending_events + counts.inserted;
    }
    catch (...)
    {
        im.dims.rollback();
        im.rollups.clear();
        im.insert_event.reset();
        im.upsert_rollup.reset();
        im.update_rollup.reset();
        im.insert_reject.reset();
        im.insert_pending.reset();
        if (per_event_inserted)
            per_event_inserted->assign(total, false);
        throw;
    }
    return counts;
}

void batch_writer::fold_pending_rollups()
{
    if (impl_->pending_events == 0)
        return;
    write({}, {}, nullptr, rollup_mode::fold);
}

std::uint64_t batch_writer::pending_rollup_events() const
{
    return impl_->pending_events;
}

} // namespace cpamd::store
