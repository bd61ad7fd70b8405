#include <cpamd/analytics/bucket_usage.hpp>
#include <cpamd/analytics/local_time.hpp>
#include <cpamd/store/latency_histogram.hpp>
#include <cpamd/store/rollup_rows.hpp>
#include <vector>

namespace cpamd::analytics
{
namespace
{

constexpr std::int64_t ns_per_ms = 1'000'000;

// Raw events of [from_ms, to_ms), all in bucket `bucket`.
void raw_slices(
    store::statement& s,
    std::size_t bucket,
    std::int64_t from_ms,
    std::int64_t to_ms,
    const std::function<void(const usage_slice&)>& f
)
{
    if (from_ms >= to_ms)
        return;
    s.reset();
    s.bind(1, from_ms * ns_per_ms).bind(2, to_ms * ns_per_ms);
    usage_slice slice;
    slice.bucket = bucket;
    slice.calls = 1;
    while (s.step())
    {
        slice.ts_ns = s.int64(0), slice.model = s.int64(1), slice.provider = s.int64(2);
        slice.auth_index = s.int64(3), slice.endpoint = s.int64(4);
        slice.failed = s.int64(5) != 0;
        for (int i = 0; i < 8; ++i)
            slice.tokens[i] = s.int64(6 + i);
        for (int i = 0; i < 5; ++i)
            slice.cost[i] = s.int64(14 + i);
        std::int64_t latency = s.is_null(19) ? 0 : s.int64(19);
        slice.latency_samples = latency > 0 ? 1 : 0;
        slice.latency_sum = latency > 0 ? latency : 0;
        f(slice);
    }
}

std::int64_t zero_ms_samples(std::string_view hist)
{
    store::latency_histogram h;
    if (hist.empty() || !h.decode(hist))
        return 0;
    auto it = h.buckets().find(0);
    return it == h.buckets().end() ? 0 : static_cast<std::int64_t>(it->second);
}

} // namespace

void for_each_bucket_slice(
    store::connection& db,
    std::span<const std::int64_t> edges_ms,
    const std::function<void(const usage_slice&)>& f
)
{
    if (edges_ms.size() < 2)
        return;
    auto raw = db.prepare(R"sql(
SELECT ts_ns, model, provider, auth_index, endpoint, failed,
       input_tokens, output_tokens, reasoning_tokens, cached_tokens, cache_tokens, cache_read_tokens,
       cache_creation_tokens, total_tokens,
       cost_uncached, cost_cache_read, cost_cache_write, cost_output, cost_reasoning, latency_ms
FROM events WHERE ts_ns >= ?1 AND ts_ns < ?2
)sql");
    // The whole UTC hours each bucket owns, as hour -> bucket over [first_hour, end_hour).
    std::int64_t first_hour = 0, end_hour = 0;
    std::vector<std::int64_t> owner; // bucket index + 1, 0 = no bucket owns the hour whole
    for (std::size_t b = 0; b + 1 < edges_ms.size(); ++b)
    {
        auto split = split_for_rollups(edges_ms[b], edges_ms[b + 1]);
        raw_slices(raw, b, split.begin, split.whole_begin, f);
        raw_slices(raw, b, split.whole_end, split.end, f);
        if (split.whole_begin >= split.whole_end)
            continue;
        std::int64_t lo = split.whole_begin / ms_per_hour, hi = split.whole_end / ms_per_hour;
        if (owner.empty())
            first_hour = end_hour = lo;
        if (hi > end_hour)
        {
            owner.resize(static_cast<std::size_t>(hi - first_hour), 0);
            end_hour = hi;
        }
        for (auto h = lo; h < hi; ++h)
            owner[static_cast<std::size_t>(h - first_hour)] = static_cast<std::int64_t>(b) + 1;
    }
    if (owner.empty())
        return;
    usage_slice slice;
    slice.from_rollup = true;
    store::for_each_rollup_row(
        db,
        first_hour,
        end_hour,
        [&](const store::rollup_row& row)
        {
            auto b = owner[static_cast<std::size_t>(row.hour - first_hour)];
            if (b == 0)
                return;
            slice.bucket = static_cast<std::size_t>(b - 1);
            slice.ts_ns = row.hour * ms_per_hour * ns_per_ms;
            slice.model = row.model, slice.provider = row.provider, slice.auth_index = row.auth_index;
            slice.endpoint = row.endpoint, slice.failed = row.failed;
            slice.calls = row.calls;
            for (int i = 0; i < 8; ++i)
                slice.tokens[i] = row.tokens[i];
            for (int i = 0; i < 5; ++i)
                slice.cost[i] = row.cost[i];
            slice.latency_samples = row.latency_count - zero_ms_samples(row.latency_hist);
            slice.latency_sum = row.latency_sum;
            f(slice);
        }
    );
}

} // namespace cpamd::analytics
