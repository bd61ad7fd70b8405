#include <cpamd/pricing/context_band.hpp>
#include <cpamd/pricing/cost.hpp>

namespace cpamd::pricing
{

double cost_usd(const segment_tokens& t, const effective_rates& r) noexcept
{
    auto d = [](std::int64_t v) { return static_cast<double>(v); };
    // reasoning is not here on purpose: it is part of output and has no rate of its own.
    double per_million = d(t.prompt) * r.prompt + d(t.cached) * r.cache + d(t.cache_read) * r.cache_read +
                         d(t.cache_creation) * r.cache_creation + d(t.output) * r.completion;
    return per_million / tokens_per_price_unit;
}

cost_result group_cost(const price_table& table, const usage_group& group)
{
    auto match = find_price(table, group.models);
    if (!match.price)
        return {};
    auto rates = resolve_rates(*match.price, match.model, group.context_floor, group.service_tier);
    return {cost_usd(group.tokens, rates), std::string(match.model), match.origin};
}

cost_result request_cost(const price_table& table, const request_usage& request)
{
    return group_cost(
        table,
        {request.models,
         request.service_tier,
         request_context_floor(request.normalized_input),
         segments_of(request.tokens)}
    );
}

} // namespace cpamd::pricing
