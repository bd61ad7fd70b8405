#include "rollup_batch.hpp"

#include "checked_sum.hpp"

#include <algorithm>
#include <cpamd/store/latency_histogram.hpp>
#include <span>

namespace cpamd::store
{

std::size_t rollup_key_hash::operator()(const rollup_key& k) const noexcept
{
    std::uint64_t h = 0;
    for (std::int64_t v :
         {k.hour,
          k.model,
          k.provider,
          k.auth_index,
          k.endpoint,
          std::int64_t{k.failed},
          k.billing_model,
          k.service_tier,
          k.context_floor})
        h = (h ^ static_cast<std::uint64_t>(v)) * 0x100000001B3ULL;
    return static_cast<std::size_t>(h ^ (h >> 29));
}

void rollup_sums::add(const usage::event& ev)
{
    calls++;
    const auto& t = ev.tokens;
    std::int64_t tok[8] = {
        t.input, t.output, t.reasoning, t.cached, t.cache, t.cache_read, t.cache_creation, t.total};
    for (int j = 0; j < 8; ++j)
        add_checked(tokens[j], tok[j]);
    const auto& c = ev.cost;
    std::int64_t cst[5] = {c.input_uncached, c.cache_read, c.cache_write, c.output, c.reasoning};
    for (int j = 0; j < 5; ++j)
        add_checked(cost[j], cst[j]);
    if (ev.latency_ms)
    {
        latency_count++;
        add_checked(latency_sum, *ev.latency_ms);
    }
    if (ev.ttft_ms)
    {
        ttft_count++;
        add_checked(ttft_sum, *ev.ttft_ms);
    }
}

rollup_sums& rollup_sums::operator+=(const rollup_sums& o)
{
    add_checked(calls, o.calls);
    for (int j = 0; j < 8; ++j)
        add_checked(tokens[j], o.tokens[j]);
    for (int j = 0; j < 5; ++j)
        add_checked(cost[j], o.cost[j]);
    add_checked(latency_count, o.latency_count);
    add_checked(latency_sum, o.latency_sum);
    add_checked(ttft_count, o.ttft_count);
    add_checked(ttft_sum, o.ttft_sum);
    return *this;
}

void bind_rollup_row(statement& s, const rollup_key& k, const rollup_sums& r, std::string_view hist)
{
    s.bind(1, k.hour).bind(2, k.model).bind(3, k.provider).bind(4, k.auth_index);
    s.bind(5, k.endpoint).bind(6, std::int64_t{k.failed}).bind(7, r.calls);
    for (int i = 0; i < 8; ++i)
        s.bind(8 + i, r.tokens[i]);
    for (int i = 0; i < 5; ++i)
        s.bind(16 + i, r.cost[i]);
    s.bind(21, r.latency_count).bind(22, r.latency_sum).bind(23, r.ttft_count).bind(24, r.ttft_sum);
    s.bind_blob(25, hist.data(), hist.size());
    s.bind(26, k.billing_model).bind(27, k.service_tier).bind(28, k.context_floor);
}

std::uint32_t rollup_batch::slot_of(const rollup_key& key)
{
    auto [it, fresh] = slot_of_.try_emplace(key, static_cast<std::uint32_t>(keys_.size()));
    if (fresh)
    {
        keys_.push_back(key);
        sums_.emplace_back();
        delta_hists_.emplace_back();
    }
    return it->second;
}

void rollup_batch::add(const rollup_key& key, const usage::event& ev)
{
    auto slot = slot_of(key);
    sums_[slot].add(ev);
    if (ev.latency_ms)
        latencies_.push_back(
            (std::uint64_t{slot} << 32) |
            static_cast<std::uint32_t>(latency_histogram::bucket_of(*ev.latency_ms))
        );
}

void rollup_batch::add(const rollup_key& key, const rollup_sums& sums, std::string_view latency_hist)
{
    auto slot = slot_of(key);
    sums_[slot] += sums;
    auto& hist = delta_hists_[slot];
    hist = hist.empty() ? std::string(latency_hist) : latency_histogram::merged(hist, latency_hist);
}

void rollup_batch::sort_by_key()
{
    order_.resize(keys_.size());
    for (std::uint32_t i = 0; i < order_.size(); ++i)
        order_[i] = i;
    std::sort(order_.begin(), order_.end(), [&](auto a, auto b) { return keys_[a] < keys_[b]; });
    // Sorted by slot then bucket: each slot's buckets are one ascending run.
    std::sort(latencies_.begin(), latencies_.end());
    first_latency_.assign(keys_.size() + 1, 0);
    buckets_.clear();
    for (auto l : latencies_)
    {
        first_latency_[(l >> 32) + 1]++;
        buckets_.push_back(static_cast<int>(l & 0xFFFFFFFF));
    }
    for (std::size_t i = 1; i < first_latency_.size(); ++i)
        first_latency_[i] += first_latency_[i - 1];
}

void rollup_batch::histogram_of(std::uint32_t slot, std::string& out) const
{
    out.clear();
    auto first = first_latency_[slot], last = first_latency_[slot + 1];
    latency_histogram::encode_sorted(std::span(buckets_).subspan(first, last - first), out);
    if (!delta_hists_[slot].empty())
        out = out.empty() ? delta_hists_[slot] : latency_histogram::merged(out, delta_hists_[slot]);
}

void rollup_batch::clear()
{
    if (keys_.size() > max_kept || latencies_.size() > max_kept)
    {
        *this = rollup_batch();
        return;
    }
    slot_of_.clear();
    keys_.clear();
    sums_.clear();
    latencies_.clear();
    delta_hists_.clear();
}

} // namespace cpamd::store
