#include "task_counter.hpp"
#include "usage_projection.hpp"

#include <cpamd/store/usage_rows.hpp>
#include <fmt/format.h>
#include <vector>

namespace cpamd::store
{

void for_each_usage_hour_row(
    connection& db,
    usage_kind kind,
    std::int64_t first_hour,
    std::int64_t end_hour,
    std::string_view extra_sql,
    const std::function<void(const usage_hour_row&)>& f
)
{
    auto s = db.prepare(fmt::format(
        "SELECT hour, {}, calls, input_tokens, output_tokens, reasoning_tokens, cached_tokens, cache_tokens, "
        "cache_read_tokens, "
        "cache_creation_tokens, total_tokens, normalized_input, cost_cache_read, usd, latency_samples, "
        "latency_sum, "
        "ttft_samples, "
        "ttft_sum, zero_token_calls, last_seen_ns, tasks, latency_hist, ttft_hist FROM proj_usage_hour "
        "WHERE kind = ?1 AND hour >= ?2 AND hour < ?3{} ORDER BY kind, hour",
        usage_key_columns,
        extra_sql
    ));
    s.bind(1, static_cast<std::int64_t>(kind)).bind(2, first_hour).bind(3, end_hour);
    usage_hour_row r;
    while (s.step())
    {
        int c = 0;
        r.hour = s.int64(c++);
        for (auto* v :
             {&r.api_key,
              &r.auth_index,
              &r.auth_file_snapshot,
              &r.source_hash,
              &r.source,
              &r.account_snapshot,
              &r.auth_label_snapshot,
              &r.auth_provider_snapshot,
              &r.auth_project_id_snapshot,
              &r.provider})
            *v = s.int64(c++);
        r.failed = s.int64(c++) != 0;
        r.calls = s.int64(c++);
        for (auto& t : r.tokens)
            t = s.int64(c++);
        r.normalized_input = s.int64(c++);
        r.cost_cache_read = s.int64(c++);
        r.usd = s.real(c++);
        for (auto* v :
             {&r.latency_samples,
              &r.latency_sum,
              &r.ttft_samples,
              &r.ttft_sum,
              &r.zero_token_calls,
              &r.last_seen_ns,
              &r.tasks})
            *v = s.int64(c++);
        r.latency_hist = s.blob(c++);
        r.ttft_hist = s.blob(c++);
        f(r);
    }
}

void for_each_usage_calls(
    connection& db,
    usage_kind kind,
    std::span<const std::string_view> columns,
    std::int64_t first_hour,
    std::int64_t end_hour,
    const std::function<void(std::span<const std::int64_t> values, std::int64_t calls)>& f
)
{
    auto s = db.prepare(fmt::format(
        "SELECT calls, {} FROM proj_usage_hour WHERE kind = ?1 AND hour >= ?2 AND hour < ?3",
        fmt::join(columns, ", ")
    ));
    s.bind(1, static_cast<std::int64_t>(kind)).bind(2, first_hour).bind(3, end_hour);
    std::vector<std::int64_t> values(columns.size());
    while (s.step())
    {
        for (std::size_t i = 0; i < values.size(); ++i)
            values[i] = s.int64(static_cast<int>(i) + 1);
        f(values, s.int64(0));
    }
}

span_task_counts count_usage_span_tasks(
    connection& db,
    usage_kind kind,
    std::int64_t first_hour,
    std::int64_t end_hour,
    std::string_view extra_sql
)
{
    return count_span_entries(
        db,
        "proj_usage_span",
        first_hour,
        end_hour,
        fmt::format(" AND kind = {}{}", static_cast<std::int64_t>(kind), extra_sql)
    );
}

std::int64_t current_price_epoch(connection& db)
{
    return db.query_int("SELECT epoch FROM price_epoch WHERE id = 0").value_or(0);
}

void prices_changed(connection& db)
{
    db.exec("UPDATE price_epoch SET epoch = epoch + 1 WHERE id = 0");
    db.exec("INSERT OR IGNORE INTO proj_todo (hour) SELECT hour FROM proj_hours");
}

} // namespace cpamd::store
