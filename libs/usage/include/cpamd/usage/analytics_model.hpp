#pragma once

// The model key the analytics group by (manager-api §5.6, CPAMP usageidentity.AnalyticsModel):
// a trailing "(x)" is stripped when x is a thinking level or budget, so "gpt-5(high)" and
// "gpt-5" are one model.

#include <string_view>

namespace cpamd::usage
{

// Strips a trailing "(x)" when x is one of none, auto, -1, minimal, low, medium, high, xhigh, max
// (ASCII case-insensitive) or a non-negative decimal integer, and the remaining base (trimmed of
// trailing spaces) is non-empty. Otherwise returns `model` unchanged. The result views `model`.
std::string_view analytics_model(std::string_view model) noexcept;

} // namespace cpamd::usage
