#pragma once

// The dashboard's presentation rules (analytics-api §2), as pure functions: rates, tones and
// the token mix.

#include <cpamd/analytics/dashboard_summary.hpp>
#include <optional>
#include <string>
#include <vector>

namespace cpamd::analytics
{

// part / total, 0 when total <= 0.
double ratio(std::int64_t part, std::int64_t total) noexcept;
double ratio(double part, double total) noexcept;

// A health strip cell: future, empty, bad (failure rate >= 10 %), warn (any failure), good.
const char* health_cell_tone(std::int64_t calls, double failure_rate, bool future) noexcept;

// A channel: bad if success < 85 %, >= 5 failures or average latency >= 30 s; warn if success
// < 95 %, any failure or latency >= 15 s; else good.
const char*
channel_tone(double success_rate, std::int64_t failures, std::optional<double> latency_ms) noexcept;
int tone_severity(std::string_view tone) noexcept; // bad 3, warn 2, else 1

// A failure source: bad when its failure rate >= 50 % or it failed >= 5 times, else warn.
const char* failure_source_tone(double failure_rate, std::int64_t failures) noexcept;

// input (uncached), cached (cached + cache read + cache creation), output, reasoning. When they
// add up to more than total_tokens (> 0), the overflow comes off output (reasoning is assumed to
// sit inside it), then off input.
std::vector<dashboard_token_segment> token_mix(const dashboard_today& t);

} // namespace cpamd::analytics
