#include <cpamd/pricing/context_band.hpp>
#include <cpamd/pricing/effective_rates.hpp>
#include <cpamd/pricing/model_family.hpp>

namespace cpamd::pricing
{
namespace
{

void override_configured(rate& into, const rate& by) noexcept
{
    if (by.configured)
        into = by;
}

void override_configured(rate_set& into, const rate_set& by) noexcept
{
    override_configured(into.prompt, by.prompt);
    override_configured(into.completion, by.completion);
    override_configured(into.cache, by.cache);
    override_configured(into.cache_read, by.cache_read);
    override_configured(into.cache_creation, by.cache_creation);
}

effective_rates with_fallbacks(const rate_set& r) noexcept
{
    effective_rates e;
    e.prompt = r.prompt.per_million;
    e.completion = r.completion.per_million;
    e.cache = r.cache.per_million;
    if (r.cache_read.configured)
        e.cache_read = r.cache_read.per_million;
    else if (r.cache.configured)
        e.cache_read = r.cache.per_million;
    else
        e.cache_read = 0.1 * r.prompt.per_million;
    e.cache_creation = r.cache_creation.configured ? r.cache_creation.per_million : r.prompt.per_million;
    return e;
}

bool is_one_of(std::string_view tier, std::string_view a, std::string_view b) noexcept
{
    return iequals(tier, a) || iequals(tier, b);
}

} // namespace

const context_tier* select_context_tier(const model_price& price, std::int64_t context_floor) noexcept
{
    const context_tier* best = nullptr;
    for (const auto& tier : price.context_tiers)
        if (tier.threshold_tokens <= context_floor &&
            (!best || tier.threshold_tokens > best->threshold_tokens))
            best = &tier;
    return best;
}

bool legacy_long_context(
    const model_price& price, std::string_view model_id, std::int64_t context_floor
) noexcept
{
    if (!price.context_tiers.empty() || context_floor < legacy_long_context_threshold)
        return false;
    return in_family(model_id, "gpt-5.4") || in_family(model_id, "gpt-5.5") || in_family(model_id, "gpt-5.6");
}

const service_tier_price* find_service_tier(const model_price& price, std::string_view service_tier) noexcept
{
    if (service_tier.empty())
        return nullptr;
    for (const auto& tier : price.service_tiers)
        if (iequals(tier.service_tier, service_tier) || iequals(tier.mode, service_tier))
            return &tier;
    return nullptr;
}

double service_tier_multiplier(std::string_view model_id, std::string_view service_tier) noexcept
{
    if (is_one_of(service_tier, "flex", "batch"))
        return 0.5;
    if (!is_one_of(service_tier, "priority", "fast"))
        return 1;
    if (in_family(model_id, "gpt-5.5"))
        return 2.5;
    if (in_family(model_id, "gpt-5.4") || in_family(model_id, "gpt-5.3-codex") ||
        in_family(model_id, "gpt-5.6"))
        return 2;
    return 1;
}

effective_rates resolve_rates(
    const model_price& price,
    std::string_view model_id,
    std::int64_t context_floor,
    std::string_view service_tier
) noexcept
{
    rate_set r = price.rates;
    if (const auto* tier = select_context_tier(price, context_floor))
        override_configured(r, tier->rates);

    double multiplier = 1;
    if (const auto* explicit_tier = find_service_tier(price, service_tier))
        override_configured(r, explicit_tier->rates);
    else
        multiplier = service_tier_multiplier(model_id, service_tier);

    effective_rates e = with_fallbacks(r);
    double input_factor = multiplier;
    double output_factor = multiplier;
    if (legacy_long_context(price, model_id, context_floor))
    {
        input_factor *= 2;
        output_factor *= 1.5;
    }
    e.prompt *= input_factor;
    e.cache *= input_factor;
    e.cache_read *= input_factor;
    e.cache_creation *= input_factor;
    e.completion *= output_factor;
    return e;
}

} // namespace cpamd::pricing
