#pragma once

// GET /v0/management/model-prices/usage-summary (manager-api §5.10): which models the recent
// traffic names, so the price editor can flag the ones without a price. Answered from the hourly
// rollups: the newest whole hours that hold at least `query_limit` events (the upstream samples
// its newest query_limit events; whole hours hold a few more, never fewer).

#include <cpamd/store/sqlite.hpp>
#include <cstdint>
#include <string>
#include <vector>

namespace cpamd::analytics
{

struct model_usage
{
    std::string model;
    std::int64_t calls = 0;           // events that name it as either model (once each)
    std::int64_t requested_calls = 0; // as the analytics (requested) model
    std::int64_t resolved_calls = 0;  // as the billing model (response_model, else resolved_model)
};

struct model_usage_summary
{
    std::int64_t sampled_events = 0;
    std::int64_t total_events = 0;
    bool truncated = false;          // sampled_events < total_events
    std::vector<model_usage> models; // most calls first, then by name
};

model_usage_summary summarize_model_usage(store::connection& db, std::int64_t query_limit);

} // namespace cpamd::analytics
