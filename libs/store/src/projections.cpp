#include <cpamd/pricing/context_band.hpp>
#include <cpamd/store/latency_histogram.hpp>
#include <cpamd/store/projections.hpp>
#include <map>
#include <tuple>

namespace cpamd::store
{
namespace
{

constexpr std::int64_t ns_per_hour = 3'600'000'000'000;

struct model_key
{
    std::int64_t model, provider, endpoint, failed, billing_model, service_tier, context_floor;
    friend auto operator<=>(const model_key&, const model_key&) = default;
};

struct model_sums
{
    std::int64_t calls = 0;
    std::int64_t tokens[8] = {};
    std::int64_t cost[5] = {};
    std::int64_t latency_samples = 0, latency_sum = 0, ttft_samples = 0, ttft_sum = 0, zero_token_calls = 0;
    std::int64_t last_seen_ns = 0;
    latency_histogram latency, ttft;
};

constexpr const char* hour_events_sql = R"sql(
SELECT ts_ns, source_hash, auth_index, model, provider, endpoint, failed, response_model, resolved_model,
       service_tier, input_tokens, output_tokens, reasoning_tokens, cached_tokens, cache_tokens, cache_read_tokens,
       cache_creation_tokens, total_tokens, cost_uncached, cost_cache_read, cost_cache_write, cost_output,
       cost_reasoning, latency_ms, ttft_ms
FROM events WHERE ts_ns >= ?1 AND ts_ns < ?2 ORDER BY ts_ns
)sql";

constexpr const char* insert_model_hour_sql = R"sql(
INSERT INTO proj_model_hour (hour, model, provider, endpoint, failed, billing_model, service_tier, context_floor,
    calls, input_tokens, output_tokens, reasoning_tokens, cached_tokens, cache_tokens, cache_read_tokens,
    cache_creation_tokens, total_tokens, cost_uncached, cost_cache_read, cost_cache_write, cost_output,
    cost_reasoning, latency_samples, latency_sum, ttft_samples, ttft_sum, zero_token_calls, latency_hist, ttft_hist,
    last_seen_ns)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23,
        ?24, ?25, ?26, ?27, ?28, ?29, ?30)
)sql";

// Tasks of one instant: (source hash, auth index) -> failed.
struct task_counter
{
    std::int64_t ts_ns = 0;
    std::map<std::pair<std::int64_t, std::int64_t>, bool> open;
    std::int64_t tasks = 0, failed = 0;

    void add(std::int64_t ts, std::int64_t source_hash, std::int64_t auth_index, bool event_failed)
    {
        if (ts != ts_ns)
            flush(), ts_ns = ts;
        open[{source_hash, auth_index}] |= event_failed;
    }
    void flush()
    {
        for (const auto& [key, f] : open)
            ++tasks, failed += f ? 1 : 0;
        open.clear();
    }
};

void bind_blob_or_null(statement& s, int i, const latency_histogram& h)
{
    if (h.empty())
    {
        s.bind_null(i);
        return;
    }
    auto bytes = h.encode();
    s.bind_blob(i, bytes.data(), bytes.size());
}

// Projects hour `h` from its events; returns the number of events read.
std::int64_t project_hour(connection& db, std::int64_t h, std::span<const std::int64_t> thresholds)
{
    std::map<model_key, model_sums> rows;
    task_counter tasks;
    std::int64_t events = 0;
    auto s = db.prepare(hour_events_sql);
    s.bind(1, h * ns_per_hour).bind(2, (h + 1) * ns_per_hour);
    while (s.step())
    {
        ++events;
        const bool failed = s.int64(6) != 0;
        tasks.add(s.int64(0), s.int64(1), s.int64(2), failed);
        std::int64_t cost[5];
        for (int i = 0; i < 5; ++i)
            cost[i] = s.int64(18 + i);
        const std::int64_t billing = s.int64(7) != 0 ? s.int64(7) : s.int64(8);
        model_key key{
            s.int64(3),
            s.int64(4),
            s.int64(5),
            failed ? 1 : 0,
            billing,
            s.int64(9),
            pricing::context_band_floor(cost[0] + cost[1] + cost[2], thresholds)};
        auto& r = rows[key];
        r.calls++;
        r.last_seen_ns = s.int64(0); // events come in time order
        for (int i = 0; i < 8; ++i)
            r.tokens[i] += s.int64(10 + i);
        for (int i = 0; i < 5; ++i)
            r.cost[i] += cost[i];
        if (!failed && s.int64(17) == 0)
            r.zero_token_calls++;
        if (!s.is_null(23) && s.int64(23) > 0)
            r.latency_samples++, r.latency_sum += s.int64(23), r.latency.add(s.int64(23));
        if (!s.is_null(24) && s.int64(24) > 0)
            r.ttft_samples++, r.ttft_sum += s.int64(24), r.ttft.add(s.int64(24));
    }
    tasks.flush();

    auto remove = db.prepare("DELETE FROM proj_model_hour WHERE hour = ?1");
    remove.bind(1, h).run();
    auto insert = db.prepare(insert_model_hour_sql);
    for (const auto& [k, r] : rows)
    {
        insert.reset();
        insert.bind(1, h).bind(2, k.model).bind(3, k.provider).bind(4, k.endpoint).bind(5, k.failed);
        insert.bind(6, k.billing_model).bind(7, k.service_tier).bind(8, k.context_floor).bind(9, r.calls);
        for (int i = 0; i < 8; ++i)
            insert.bind(10 + i, r.tokens[i]);
        for (int i = 0; i < 5; ++i)
            insert.bind(18 + i, r.cost[i]);
        insert.bind(23, r.latency_samples)
            .bind(24, r.latency_sum)
            .bind(25, r.ttft_samples)
            .bind(26, r.ttft_sum);
        insert.bind(27, r.zero_token_calls);
        bind_blob_or_null(insert, 28, r.latency);
        bind_blob_or_null(insert, 29, r.ttft);
        insert.bind(30, r.last_seen_ns);
        insert.run();
    }
    auto done =
        db.prepare("INSERT OR REPLACE INTO proj_hours (hour, tasks, failed_tasks) VALUES (?1, ?2, ?3)");
    done.bind(1, h).bind(2, tasks.tasks).bind(3, tasks.failed).run();
    auto dequeue = db.prepare("DELETE FROM proj_todo WHERE hour = ?1");
    dequeue.bind(1, h).run();
    return events;
}

} // namespace

void invalidate_projected_hours(connection& db, std::span<const std::int64_t> hours)
{
    if (hours.empty())
        return;
    auto queue = db.prepare("INSERT OR IGNORE INTO proj_todo (hour) VALUES (?1)", true);
    auto unmark = db.prepare("DELETE FROM proj_hours WHERE hour = ?1", true);
    auto rows = db.prepare("DELETE FROM proj_model_hour WHERE hour = ?1", true);
    for (auto h : hours)
    {
        queue.reset();
        queue.bind(1, h).run();
        unmark.reset();
        unmark.bind(1, h).run();
        if (db.changes() > 0)
        {
            rows.reset();
            rows.bind(1, h).run();
        }
    }
}

void invalidate_projected_hours_between(connection& db, std::int64_t first_hour, std::int64_t end_hour)
{
    for (const char* sql :
         {"INSERT OR IGNORE INTO proj_todo (hour) SELECT hour FROM proj_hours WHERE hour >= ?1 AND hour < ?2",
          "DELETE FROM proj_model_hour WHERE hour >= ?1 AND hour < ?2",
          "DELETE FROM proj_hours WHERE hour >= ?1 AND hour < ?2"})
    {
        auto s = db.prepare(sql);
        s.bind(1, first_hour).bind(2, end_hour).run();
    }
}

void invalidate_all_projections(connection& db)
{
    db.exec("INSERT OR IGNORE INTO proj_todo (hour) SELECT hour FROM proj_hours");
    db.exec("DELETE FROM proj_model_hour");
    db.exec("DELETE FROM proj_hours");
}

bool project_step(
    connection& db, std::int64_t now_hour, std::span<const std::int64_t> thresholds, std::int64_t max_events
)
{
    auto next = db.prepare("SELECT hour FROM proj_todo WHERE hour < ?1 ORDER BY hour DESC LIMIT 1");
    std::int64_t read = 0;
    while (read < max_events)
    {
        next.reset();
        next.bind(1, now_hour);
        if (!next.step())
            return false;
        const auto h = next.int64(0);
        next.reset();
        read += project_hour(db, h, thresholds);
    }
    next.reset();
    next.bind(1, now_hour);
    return next.step();
}

std::int64_t queued_projection_hours(connection& db)
{
    return db.query_int("SELECT count(*) FROM proj_todo").value_or(0);
}

std::vector<projected_hour> projected_hours(connection& db, std::int64_t first_hour, std::int64_t end_hour)
{
    std::vector<projected_hour> out;
    auto s = db.prepare(
        "SELECT hour, tasks, failed_tasks FROM proj_hours WHERE hour >= ?1 AND hour < ?2 ORDER BY hour"
    );
    s.bind(1, first_hour).bind(2, end_hour);
    while (s.step())
        out.push_back({s.int64(0), s.int64(1), s.int64(2)});
    return out;
}

void for_each_model_hour_row(
    connection& db,
    std::int64_t first_hour,
    std::int64_t end_hour,
    const std::function<void(const model_hour_row&)>& f
)
{
    auto s = db.prepare(R"sql(
SELECT hour, model, provider, endpoint, failed, billing_model, service_tier, context_floor, calls,
       input_tokens, output_tokens, reasoning_tokens, cached_tokens, cache_tokens, cache_read_tokens,
       cache_creation_tokens, total_tokens, cost_uncached, cost_cache_read, cost_cache_write, cost_output,
       cost_reasoning, latency_samples, latency_sum, ttft_samples, ttft_sum, zero_token_calls, latency_hist, ttft_hist,
       last_seen_ns
FROM proj_model_hour WHERE hour >= ?1 AND hour < ?2 ORDER BY hour
)sql");
    s.bind(1, first_hour).bind(2, end_hour);
    model_hour_row r;
    while (s.step())
    {
        r.hour = s.int64(0), r.model = s.int64(1), r.provider = s.int64(2), r.endpoint = s.int64(3);
        r.failed = s.int64(4) != 0, r.billing_model = s.int64(5), r.service_tier = s.int64(6);
        r.context_floor = s.int64(7), r.calls = s.int64(8);
        for (int i = 0; i < 8; ++i)
            r.tokens[i] = s.int64(9 + i);
        for (int i = 0; i < 5; ++i)
            r.cost[i] = s.int64(17 + i);
        r.latency_samples = s.int64(22), r.latency_sum = s.int64(23);
        r.ttft_samples = s.int64(24), r.ttft_sum = s.int64(25), r.zero_token_calls = s.int64(26);
        r.latency_hist = s.blob(27), r.ttft_hist = s.blob(28), r.last_seen_ns = s.int64(29);
        f(r);
    }
}

} // namespace cpamd::store
