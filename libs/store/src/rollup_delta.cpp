#include "rollup_delta.hpp"

#include "varint.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <stdexcept>

namespace cpamd::store
{
namespace
{

// The sums in a fixed order: calls, tokens, cost, latency and ttft counters.
template <class Sums, class F>
void for_each_sum(Sums& s, F&& f)
{
    f(s.calls);
    for (auto& t : s.tokens)
        f(t);
    for (auto& c : s.cost)
        f(c);
    f(s.latency_count);
    f(s.latency_sum);
    f(s.ttft_count);
    f(s.ttft_sum);
}

} // namespace

void append_rollup_delta(
    std::string& out, const rollup_key& key, const rollup_sums& sums, std::string_view hist
)
{
    for (std::int64_t field :
         {key.hour,
          key.model,
          key.provider,
          key.auth_index,
          key.endpoint,
          std::int64_t{key.failed},
          key.billing_model,
          key.service_tier,
          key.context_floor})
        varint::put_signed(out, field);
    for_each_sum(sums, [&](std::int64_t v) { varint::put_signed(out, v); });
    varint::put(out, hist.size());
    out.append(hist);
}

bool read_rollup_delta(
    std::string_view& in, rollup_key& key, rollup_sums& sums, std::string_view& hist, int format
)
{
    // Formats 1 and 2 carry the API key after auth_index; it is read and dropped.
    const bool has_api_key = format == legacy_delta_format || format == v4_delta_format;
    bool ok = has_api_key || format == delta_format;
    auto read = [&](std::int64_t& v) { ok = ok && varint::get_signed(in, v); };
    const int fields = format == legacy_delta_format ? 7 : format == v4_delta_format ? 10 : 9;
    std::int64_t k[10] = {};
    for (int i = 0; i < fields; ++i)
        read(k[i]);
    if (has_api_key)
        std::copy(k + 5, k + 10, k + 4);
    for_each_sum(sums, read);
    std::uint64_t size = 0;
    if (!ok || (k[5] != 0 && k[5] != 1) || !varint::get(in, size) || size > in.size())
        return false;
    key = rollup_key{k[0], k[1], k[2], k[3], k[4], static_cast<int>(k[5]), k[6], k[7], k[8]};
    hist = in.substr(0, size);
    in.remove_prefix(size);
    return true;
}

void throw_malformed_pending(std::int64_t row_id)
{
    throw std::runtime_error(fmt::format("rollup_pending row {} is malformed", row_id));
}

} // namespace cpamd::store
