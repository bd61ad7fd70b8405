#include "monitoring_groups.hpp"

#include <algorithm>
#include <cpamd/analytics/dashboard_rules.hpp>
#include <cpamd/core/floor_div.hpp>
#include <fmt/format.h>

namespace cpamd::analytics
{
namespace
{

std::optional<double> average(std::int64_t sum, std::int64_t samples)
{
    if (samples <= 0)
        return std::nullopt;
    return static_cast<double>(sum) / static_cast<double>(samples);
}

std::vector<keyed_totals>
keyed_rows(const std::map<std::int64_t, totals_acc>& groups, store::dim_reader& dims)
{
    std::vector<keyed_totals> out;
    for (const auto& [id, acc] : groups)
        out.push_back({dims.value(id), acc.finish()});
    sort_by_calls(out, [](const keyed_totals& r) -> const std::string& { return r.key; });
    return out;
}

} // namespace

usage_piece piece_of(const scan_row& r)
{
    usage_piece p;
    p.calls = 1, p.failure = r.failed ? 1 : 0;
    p.input = r.normalized_input();
    p.output = r.tokens[1], p.reasoning = r.tokens[2], p.cache_read = r.tokens[5];
    p.cache_creation = r.tokens[6], p.total = r.tokens[7];
    p.cost_cache_read = r.cost_tokens[1];
    p.usd = r.usd;
    if (r.latency_ms && *r.latency_ms > 0)
        p.latency_samples = 1, p.latency_sum = *r.latency_ms;
    p.zero_token_calls = !r.failed && r.tokens[7] == 0 ? 1 : 0;
    p.last_seen_ms = r.ts_ms;
    return p;
}

usage_piece piece_of(const store::usage_hour_row& r)
{
    usage_piece p;
    p.calls = r.calls, p.failure = r.failed ? r.calls : 0;
    p.input = r.normalized_input;
    p.output = r.tokens[1], p.reasoning = r.tokens[2], p.cache_read = r.tokens[5];
    p.cache_creation = r.tokens[6], p.total = r.tokens[7];
    p.cost_cache_read = r.cost_cache_read;
    p.usd = r.usd;
    p.latency_samples = r.latency_samples, p.latency_sum = r.latency_sum;
    p.zero_token_calls = r.zero_token_calls;
    p.last_seen_ms = floor_div(r.last_seen_ns, 1'000'000);
    return p;
}

namespace
{

// Both projections' rows: calls of one outcome, the record's counters, the cost buckets.
template <class Row>
usage_piece piece_of_row(const Row& r, double usd)
{
    usage_piece p;
    p.calls = r.calls, p.failure = r.failed ? r.calls : 0;
    p.input = r.cost[0] + r.cost[1] + r.cost[2];
    p.output = r.tokens[1], p.reasoning = r.tokens[2], p.cache_read = r.tokens[5];
    p.cache_creation = r.tokens[6], p.total = r.tokens[7];
    p.cost_cache_read = r.cost[1];
    p.usd = usd;
    p.latency_samples = r.latency_samples, p.latency_sum = r.latency_sum;
    p.zero_token_calls = r.zero_token_calls;
    p.last_seen_ms = floor_div(r.last_seen_ns, 1'000'000);
    return p;
}

} // namespace

usage_piece piece_of(const store::model_hour_row& r, double usd)
{
    return piece_of_row(r, usd);
}

usage_piece piece_of(const store::identity_row& r, double usd)
{
    return piece_of_row(r, usd);
}

scan_row dims_of(const store::identity_row& r)
{
    scan_row d;
    d.id = r.last_event_id, d.ts_ns = r.last_seen_ns, d.ts_ms = floor_div(r.last_seen_ns, 1'000'000);
    d.model = r.model, d.provider = r.provider, d.endpoint = r.endpoint, d.auth_index = r.auth_index;
    d.source = r.source, d.source_hash = r.source_hash, d.api_key = r.api_key;
    d.account_snapshot = r.account_snapshot, d.auth_label_snapshot = r.auth_label_snapshot;
    d.auth_file_snapshot = r.auth_file_snapshot, d.auth_provider_snapshot = r.auth_provider_snapshot;
    d.auth_project_id_snapshot = r.auth_project_id_snapshot;
    d.failed = r.failed;
    return d;
}

void totals_acc::add(const usage_piece& p)
{
    calls_ += p.calls, failure_ += p.failure;
    input_ += p.input, output_ += p.output, reasoning_ += p.reasoning, cache_read_ += p.cache_read;
    cache_creation_ += p.cache_creation, total_ += p.total;
    cost_cache_read_ += p.cost_cache_read;
    usd_ += p.usd;
    latency_samples_ += p.latency_samples, latency_sum_ += p.latency_sum;
    last_seen_ms_ = std::max(last_seen_ms_, p.last_seen_ms);
}

usage_totals totals_acc::finish() const
{
    usage_totals t;
    t.calls = calls_, t.failure = failure_, t.success = calls_ - failure_;
    t.success_rate = ratio(t.success, t.calls), t.failure_rate = ratio(t.failure, t.calls);
    t.input_tokens = input_, t.output_tokens = output_, t.reasoning_tokens = reasoning_;
    t.cache_read_tokens = cache_read_, t.cache_creation_tokens = cache_creation_, t.total_tokens = total_;
    t.cached_tokens = std::max<std::int64_t>(cost_cache_read_ - cache_read_, 0);
    t.cache_hit_tokens = t.cached_tokens + t.cache_read_tokens;
    t.cache_hit_rate = std::min(ratio(t.cache_hit_tokens, t.input_tokens), 1.0);
    t.cost = usd_.value();
    t.average_latency_ms = average(latency_sum_, latency_samples_);
    t.last_seen_ms = calls_ > 0 ? last_seen_ms_ : 0;
    return t;
}

void name_ids::take(const scan_row& r)
{
    if (std::pair(r.ts_ns, r.id) < std::pair(ts_ns, event_id))
        return;
    ts_ns = r.ts_ns, event_id = r.id;
    source = r.source, source_hash = r.source_hash, auth_index = r.auth_index,
    auth_file = r.auth_file_snapshot;
    account = r.account_snapshot, label = r.auth_label_snapshot, auth_provider = r.auth_provider_snapshot;
    provider = r.provider;
}

credential_names name_ids::resolve(store::dim_reader& dims) const
{
    credential_names n;
    n.source = dims.value(source), n.source_hash = dims.value(source_hash),
    n.auth_index = dims.value(auth_index);
    n.auth_file_snapshot = dims.value(auth_file), n.account_snapshot = dims.value(account);
    n.auth_label_snapshot = dims.value(label), n.auth_provider_snapshot = dims.value(auth_provider);
    n.provider = dims.value(provider);
    return n;
}

std::vector<model_row> model_groups::rows(store::dim_reader& dims, const usage_totals& all) const
{
    std::vector<model_row> out;
    for (const auto& [id, acc] : by_model_)
    {
        model_row row{dims.value(id), acc.finish()};
        row.calls_share = ratio(row.totals.calls, all.calls);
        row.tokens_share = ratio(row.totals.total_tokens, all.total_tokens);
        row.cost_share = ratio(row.totals.cost, all.cost);
        out.push_back(std::move(row));
    }
    sort_by_calls(out, [](const model_row& r) -> const std::string& { return r.model; });
    return out;
}

void channel_groups::add(const scan_row& r, const usage_piece& p)
{
    auto& g = groups_[{r.auth_index, r.auth_index != 0 ? 0 : r.source}];
    g.totals.add(p);
    g.names.take(r);
}

std::vector<channel_row> channel_groups::rows(store::dim_reader& dims, const usage_totals& all) const
{
    std::vector<channel_row> out;
    for (const auto& [key, g] : groups_)
    {
        channel_row row;
        const auto& name = dims.value(key.first != 0 ? key.first : key.second);
        row.channel = name.empty() ? std::string(1, '-') : name;
        row.names = g.names.resolve(dims);
        row.totals = g.totals.finish();
        row.calls_share = ratio(row.totals.calls, all.calls);
        row.cost_share = ratio(row.totals.cost, all.cost);
        out.push_back(std::move(row));
    }
    sort_by_calls(out, [](const channel_row& r) -> const std::string& { return r.channel; });
    return out;
}

void account_groups::add(const scan_row& r, const usage_piece& p)
{
    auto& g = groups_[r.account()];
    g.totals.add(p);
    g.names.take(r);
    g.models[r.model].add(p);
}

std::vector<account_row> account_groups::rows(store::dim_reader& dims) const
{
    std::vector<account_row> out;
    for (const auto& [id, g] : groups_)
        out.push_back({dims.value(id), g.names.resolve(dims), g.totals.finish(), keyed_rows(g.models, dims)});
    sort_by_calls(out, [](const account_row& r) -> const std::string& { return r.account; });
    return out;
}

void credential_groups::add(const scan_row& r, const usage_piece& p)
{
    auto& g = groups_[{r.auth_file_snapshot, r.auth_index, r.source_hash}];
    g.totals.add(p);
    g.names.take(r);
}

std::vector<credential_row> credential_groups::rows(store::dim_reader& dims) const
{
    std::vector<credential_row> out;
    for (const auto& [key, g] : groups_)
    {
        credential_row row;
        row.names = g.names.resolve(dims);
        row.credential_id = credential_id(
            dims.value(std::get<0>(key)), dims.value(std::get<1>(key)), dims.value(std::get<2>(key))
        );
        row.totals = g.totals.finish();
        out.push_back(std::move(row));
    }
    sort_by_calls(out, [](const credential_row& r) -> const std::string& { return r.credential_id; });
    return out;
}

void api_key_groups::add(const scan_row& r, const usage_piece& p)
{
    auto& g = groups_[r.api_key];
    g.totals.add(p);
    g.models[r.model].add(p);
    g.accounts[r.account()].add(p);
}

std::vector<api_key_row> api_key_groups::rows(store::dim_reader& dims, const alias_map& aliases) const
{
    std::vector<api_key_row> out;
    for (const auto& [id, g] : groups_)
    {
        api_key_row row;
        row.api_key_hash = dims.value(id);
        if (auto a = aliases.find(row.api_key_hash); a != aliases.end())
            row.alias = a->second;
        row.totals = g.totals.finish();
        row.models = keyed_rows(g.models, dims);
        row.accounts = keyed_rows(g.accounts, dims);
        out.push_back(std::move(row));
    }
    sort_by_calls(out, [](const api_key_row& r) -> const std::string& { return r.api_key_hash; });
    return out;
}

std::string credential_id(const std::string& file, const std::string& index, const std::string& hash)
{
    // fmt, not operator+: GCC 12 warns falsely (-Wrestrict) on chained string concatenation.
    return fmt::format("{}|{}|{}", file, index, hash);
}

} // namespace cpamd::analytics
