#include "usage_metrics.hpp"

#include <fmt/format.h>
#include <string>
#include <vector>

namespace cpamd::api
{
namespace
{

using analytics::usage_snapshot;
using analytics::usage_sums;
using ops::label;
using ops::prometheus_text;

// The four families of one breakdown: <prefix>requests_total, failures_total, tokens_total and
// cost_usd_total; `what` names the breakdown in the help texts.
template <class Series, class LabelsOf>
void write_sums(
    prometheus_text& out,
    const std::string& prefix,
    const char* what,
    const std::vector<Series>& rows,
    LabelsOf labels_of
)
{
    if (rows.empty())
        return;
    auto with = [&](const Series& s, label extra)
    {
        auto l = labels_of(s);
        std::vector<label> all(l.begin(), l.end());
        all.push_back(extra);
        return all;
    };
    const auto requests = prefix + "requests_total";
    out.family(requests, "counter", fmt::format("Stored requests {}, failed ones included.", what));
    for (const auto& s : rows)
        out.sample(requests, labels_of(s), static_cast<double>(s.sums.requests));

    const auto failures = prefix + "failures_total";
    out.family(
        failures,
        "counter",
        fmt::format("Stored failed requests {}, by HTTP status class (other: none or not 4xx/5xx).", what)
    );
    for (const auto& s : rows)
        for (std::size_t c = 0; c < analytics::usage_status_classes.size(); ++c)
            if (s.sums.failures[c] > 0)
                out.sample(
                    failures,
                    with(s, {"status_class", analytics::usage_status_classes[c]}),
                    static_cast<double>(s.sums.failures[c])
                );

    const auto tokens = prefix + "tokens_total";
    out.family(
        tokens, "counter", fmt::format("Tokens of stored requests {}, by type (total: CPA's total).", what)
    );
    for (const auto& s : rows)
        for (std::size_t t = 0; t < analytics::usage_token_types.size(); ++t)
            out.sample(
                tokens,
                with(s, {"type", analytics::usage_token_types[t]}),
                static_cast<double>(s.sums.tokens[t])
            );

    const auto cost = prefix + "cost_usd_total";
    out.family(
        cost, "counter", fmt::format("Cost in USD of stored requests {}, priced when first counted.", what)
    );
    for (const auto& s : rows)
        out.sample(cost, labels_of(s), s.sums.usd);
}

ops::histogram_data histogram_of(const analytics::seconds_histogram& h)
{
    ops::histogram_data d;
    d.bounds.assign(analytics::usage_seconds_bounds.begin(), analytics::usage_seconds_bounds.end());
    d.counts.assign(h.counts.begin(), h.counts.end());
    d.sum = h.sum;
    return d;
}

} // namespace

void write_usage(prometheus_text& out, const usage_snapshot& usage)
{
    out.family(
        "cpamd_usage_metrics_ready",
        "gauge",
        "1 once every stored event is counted (after a start the store is read once first)."
    );
    out.sample("cpamd_usage_metrics_ready", usage.ready ? 1 : 0);
    if (!usage.ready)
        return;
    out.family(
        "cpamd_usage_last_event_timestamp_seconds",
        "gauge",
        "Event time of the newest stored event (0: none)."
    );
    out.sample("cpamd_usage_last_event_timestamp_seconds", usage.last_event_seconds);

    auto model_labels = [](const analytics::model_usage_series& s) {
        return std::array<label, 2>{label{"model", s.model}, label{"provider", s.provider}};
    };
    write_sums(out, "cpamd_usage_", "by model and provider", usage.models, model_labels);
    for (auto [name, help, pick] :
         {std::tuple{
              "cpamd_usage_latency_seconds",
              "Latency of stored requests by model and provider.",
              &analytics::model_usage_series::latency},
          std::tuple{
              "cpamd_usage_ttft_seconds",
              "Time to first token of stored requests that report one, by model and provider.",
              &analytics::model_usage_series::ttft}})
    {
        if (usage.models.empty())
            break;
        out.family(name, "histogram", help);
        for (const auto& s : usage.models)
            out.histogram(name, model_labels(s), histogram_of(s.*pick));
    }

    write_sums(
        out,
        "cpamd_usage_credential_",
        "by credential",
        usage.credentials,
        [](const analytics::credential_usage_series& s) {
            return std::array<label, 2>{label{"auth_index", s.auth_index}, label{"credential", s.credential}};
        }
    );
    write_sums(
        out,
        "cpamd_usage_api_key_",
        "by API key",
        usage.api_keys,
        [](const analytics::api_key_usage_series& s) {
            return std::array<label, 2>{label{"api_key", s.api_key}, label{"alias", s.alias}};
        }
    );
}

} // namespace cpamd::api
