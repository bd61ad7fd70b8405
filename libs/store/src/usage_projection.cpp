#include "usage_projection.hpp"

#include "histogram_binding.hpp"

#include <fmt/format.h>
#include <string>
#include <vector>

namespace cpamd::store
{

void usage_projection::add(const event_fields& e)
{
    const std::int64_t failed = e.failed ? 1 : 0;
    row_key by_key{
        {static_cast<std::int64_t>(usage_kind::api_key), e.api_key, 0, 0, 0, 0, 0, 0, 0, 0, 0, failed}};
    row_key by_credential{
        {static_cast<std::int64_t>(usage_kind::credential),
         0,
         e.auth_index,
         e.auth_file_snapshot,
         e.source_hash,
         e.source,
         e.account_snapshot,
         e.auth_label_snapshot,
         e.auth_provider_snapshot,
         e.auth_project_id_snapshot,
         e.provider,
         failed}};
    add_to(by_key, e);
    add_to(by_credential, e);
    key_tasks_.add(e.ts_ns, e.source_hash, e.auth_index, by_key);
    credential_tasks_.add(e.ts_ns, e.source_hash, e.auth_index, by_credential);
}

void usage_projection::add_to(const row_key& k, const event_fields& e)
{
    auto& r = rows_[k];
    r.calls++;
    for (int i = 0; i < 8; ++i)
        r.tokens[i] += e.tokens[i];
    r.normalized_input += e.normalized_input;
    r.cost_cache_read += e.cost_cache_read;
    r.usd += e.usd;
    if (e.latency_ms && *e.latency_ms > 0)
        r.latency_samples++, r.latency_sum += *e.latency_ms, r.latency.add(*e.latency_ms);
    if (e.ttft_ms && *e.ttft_ms > 0)
        r.ttft_samples++, r.ttft_sum += *e.ttft_ms, r.ttft.add(*e.ttft_ms);
    if (!e.failed && e.tokens[7] == 0)
        r.zero_token_calls++;
    r.last_seen_ns = e.ts_ns; // events come in time order
}

void usage_projection::write(connection& db, std::int64_t h)
{
    key_tasks_.flush();
    credential_tasks_.flush();
    auto insert = db.prepare(fmt::format(
        "INSERT INTO proj_usage_hour (kind, hour, {}, calls, input_tokens, output_tokens, reasoning_tokens, "
        "cached_tokens, cache_tokens, cache_read_tokens, cache_creation_tokens, total_tokens, "
        "normalized_input, "
        "cost_cache_read, usd, latency_samples, latency_sum, ttft_samples, ttft_sum, zero_token_calls, "
        "last_seen_ns, tasks, "
        "latency_hist, ttft_hist) VALUES ({})",
        usage_key_columns,
        fmt::join(std::vector<std::string_view>(2 + 11 + 1 + 8 + 3 + 7 + 2, "?"), ", ")
    ));
    for (const auto& [k, r] : rows_)
    {
        insert.reset();
        int p = 1;
        insert.bind(p++, k.v[0]);
        insert.bind(p++, h);
        for (std::size_t i = 1; i < k.v.size(); ++i)
            insert.bind(p++, k.v[i]);
        insert.bind(p++, r.calls);
        for (auto t : r.tokens)
            insert.bind(p++, t);
        insert.bind(p++, r.normalized_input);
        insert.bind(p++, r.cost_cache_read);
        insert.bind(p++, r.usd.value());
        for (auto v :
             {r.latency_samples,
              r.latency_sum,
              r.ttft_samples,
              r.ttft_sum,
              r.zero_token_calls,
              r.last_seen_ns,
              r.tasks})
            insert.bind(p++, v);
        bind_histogram(insert, p++, r.latency);
        bind_histogram(insert, p++, r.ttft);
        insert.run();
    }
    auto span = db.prepare(fmt::format(
        "INSERT INTO proj_usage_span (kind, hour, task, {}) VALUES ({})",
        usage_key_columns,
        fmt::join(std::vector<std::string_view>(3 + 11, "?"), ", ")
    ));
    std::int64_t task = 0;
    for (const auto* counter : {&key_tasks_, &credential_tasks_})
        for (const auto& rows : counter->spans)
        {
            for (const auto& k : rows)
            {
                span.reset();
                span.bind(1, k.v[0]).bind(2, h).bind(3, task);
                for (std::size_t i = 1; i < k.v.size(); ++i)
                    span.bind(static_cast<int>(i) + 3, k.v[i]);
                span.run();
            }
            ++task;
        }
}

void delete_usage_rows(connection& db, std::int64_t first_hour, std::int64_t end_hour)
{
    for (const char* sql :
         {"DELETE FROM proj_usage_hour WHERE kind IN (1, 2) AND hour >= ?1 AND hour < ?2",
          "DELETE FROM proj_usage_span WHERE kind IN (1, 2) AND hour >= ?1 AND hour < ?2"})
    {
        auto s = db.prepare(sql, true);
        s.bind(1, first_hour).bind(2, end_hour).run();
    }
}

} // namespace cpamd::store
