#include "event_items.hpp"

#include <algorithm>
#include <cpamd/analytics/usage_counters.hpp>
#include <cpamd/store/dims.hpp>
#include <cpamd/store/price_repository.hpp>
#include <cpamd/store/rate_memo.hpp>
#include <cpamd/usage/redact.hpp>
#include <limits>
#include <optional>

namespace cpamd::analytics
{
namespace
{

constexpr const char* other_label = "other";

std::size_t status_class_of(std::optional<std::int64_t> status)
{
    if (status && *status >= 400 && *status < 500)
        return 0;
    if (status && *status >= 500 && *status < 600)
        return 1;
    return 2;
}

// The columns of `events` in the order read below; tokens in usage_token_types' order.
constexpr const char* fold_sql = R"sql(
SELECT id, ts_ns, model, provider, auth_index, source, api_key, failed, fail_status_code,
       input_tokens, output_tokens, reasoning_tokens, cached_tokens, cache_read_tokens,
       cache_creation_tokens, total_tokens,
       cost_uncached, cost_cache_read, cost_cache_write, cost_output, cost_reasoning,
       latency_ms, ttft_ms, response_model, resolved_model, service_tier
FROM events WHERE id > ?1 ORDER BY id LIMIT ?2
)sql";

// Sorts `rows` by requests, most first, keeps the first `top_n` and sums the rest into one
// series made by `other()`.
template <class Series, class MakeOther>
void keep_top(std::vector<Series>& rows, std::size_t top_n, MakeOther other)
{
    std::stable_sort( // ties keep the map's order: the same output for the same counts
        rows.begin(),
        rows.end(),
        [](const Series& a, const Series& b) { return a.sums.requests > b.sums.requests; }
    );
    if (rows.size() <= top_n)
        return;
    Series rest = other();
    for (auto it = rows.begin() + static_cast<std::ptrdiff_t>(top_n); it != rows.end(); ++it)
    {
        rest.sums.merge(it->sums);
        if constexpr (requires { rest.latency; })
            rest.latency.merge(it->latency), rest.ttft.merge(it->ttft);
    }
    rows.resize(top_n);
    rows.push_back(std::move(rest));
}

} // namespace

void usage_sums::merge(const usage_sums& o)
{
    requests += o.requests;
    for (std::size_t i = 0; i < failures.size(); ++i)
        failures[i] += o.failures[i];
    for (std::size_t i = 0; i < tokens.size(); ++i)
        tokens[i] += o.tokens[i];
    usd += o.usd;
}

void seconds_histogram::add(double seconds)
{
    const auto at = std::lower_bound(usage_seconds_bounds.begin(), usage_seconds_bounds.end(), seconds);
    ++counts[static_cast<std::size_t>(at - usage_seconds_bounds.begin())];
    sum += seconds;
}

void seconds_histogram::merge(const seconds_histogram& o)
{
    for (std::size_t i = 0; i < counts.size(); ++i)
        counts[i] += o.counts[i];
    sum += o.sum;
}

std::size_t usage_counters::fold(store::connection& db, std::size_t limit)
{
    std::lock_guard fold_lock(fold_mutex_);
    std::int64_t from_id = 0;
    {
        std::lock_guard lock(mutex_);
        from_id = last_id_;
    }
    // Counted apart, then merged in one step: a snapshot never sees half a chunk.
    decltype(models_) models;
    decltype(credentials_) credentials;
    decltype(api_keys_) api_keys;
    std::int64_t last_id = from_id, last_ts_ns = 0;
    std::size_t n = 0;
    auto s = db.prepare(fold_sql);
    s.bind(1, from_id)
        .bind(
            2,
            static_cast<std::int64_t>(std::min<std::size_t>(limit, std::numeric_limits<std::int64_t>::max()))
        );
    // Prices are loaded at the first new event: most scrapes find none or few.
    std::optional<pricing::price_table> price_table;
    std::optional<store::rate_memo> prices;
    while (s.step())
    {
        if (!prices)
            prices.emplace(db, price_table.emplace(store::load_price_table(db)));
        ++n;
        last_id = s.int64(0);
        last_ts_ns = std::max(last_ts_ns, s.int64(1));
        const auto model = s.int64(2), provider = s.int64(3);
        usage_sums one;
        one.requests = 1;
        if (s.int64(7) != 0)
            ++one.failures[status_class_of(s.opt_int64(8))];
        for (std::size_t i = 0; i < one.tokens.size(); ++i)
            one.tokens[i] = s.int64(9 + static_cast<int>(i));
        std::int64_t cost[5];
        for (int i = 0; i < 5; ++i)
            cost[i] = s.int64(16 + i);
        const std::int64_t billing = s.int64(23) != 0 ? s.int64(23) : s.int64(24);
        one.usd = prices->event_usd(model, billing, s.int64(25), cost);

        auto& m = models[{model, provider}];
        m.sums.merge(one);
        if (auto latency = s.opt_int64(21))
            m.latency.add(static_cast<double>(*latency) / 1000.0);
        if (auto ttft = s.opt_int64(22))
            m.ttft.add(static_cast<double>(*ttft) / 1000.0);
        auto& c = credentials[s.int64(4)];
        c.sums.merge(one);
        if (s.int64(5) != 0)
            c.source = s.int64(5);
        api_keys[s.int64(6)].merge(one);
    }

    std::lock_guard lock(mutex_);
    for (auto& [k, v] : models)
    {
        auto& into = models_[k];
        into.sums.merge(v.sums);
        into.latency.merge(v.latency);
        into.ttft.merge(v.ttft);
    }
    for (auto& [k, v] : credentials)
    {
        auto& into = credentials_[k];
        into.sums.merge(v.sums);
        if (v.source != 0)
            into.source = v.source;
    }
    for (auto& [k, v] : api_keys)
        api_keys_[k].merge(v);
    last_id_ = last_id;
    last_ts_ns_ = std::max(last_ts_ns_, last_ts_ns);
    if (n < limit)
        ready_ = true;
    return n;
}

bool usage_counters::ready() const
{
    std::lock_guard lock(mutex_);
    return ready_;
}

usage_snapshot usage_counters::snapshot(store::connection& db, std::size_t top_n) const
{
    store::dim_reader dims(db);
    const auto aliases = store::load_api_key_aliases(db);
    usage_snapshot out;
    std::lock_guard lock(mutex_);
    out.ready = ready_;
    out.last_event_seconds = static_cast<double>(last_ts_ns_) / 1e9;
    for (const auto& [k, v] : models_)
        out.models.push_back({dims.value(k.first), dims.value(k.second), v.sums, v.latency, v.ttft});
    for (const auto& [auth_index, v] : credentials_)
        out.credentials.push_back({dims.value(auth_index), usage::mask_source(dims.value(v.source)), v.sums});
    for (const auto& [key, sums] : api_keys_)
    {
        const auto& hash = dims.value(key);
        auto alias = aliases.find(hash);
        out.api_keys.push_back(
            {hash.substr(0, api_key_label_chars), alias == aliases.end() ? "" : alias->second, sums}
        );
    }
    keep_top(out.models, top_n, [] { return model_usage_series{other_label, other_label, {}, {}, {}}; });
    keep_top(out.credentials, top_n, [] { return credential_usage_series{other_label, other_label, {}}; });
    keep_top(out.api_keys, top_n, [] { return api_key_usage_series{other_label, "", {}}; });
    return out;
}

} // namespace cpamd::analytics
