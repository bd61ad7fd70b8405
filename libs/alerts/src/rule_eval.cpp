#include <algorithm>
#include <cpamd/alerts/rule_eval.hpp>
#include <cpamd/store/api_key_aliases.hpp>
#include <cpamd/store/dims.hpp>
#include <fmt/format.h>
#include <map>

namespace cpamd::alerts
{
namespace
{

constexpr std::size_t key_label_chars = 12; // as /metrics' api_key label

std::string percent(double fraction)
{
    return fmt::format("{:.1f} %", fraction * 100);
}

std::string seconds_text(double ms)
{
    return ms < 1000 ? fmt::format("{:.0f} ms", ms) : fmt::format("{:.1f} s", ms / 1000);
}

std::string minutes_text(std::int64_t ms)
{
    return ms < 120'000 ? fmt::format("{} s", ms / 1000) : fmt::format("{} min", ms / 60'000);
}

std::string megabytes(double bytes)
{
    return bytes >= 1024.0 * 1024 * 1024 ? fmt::format("{:.2f} GB", bytes / (1024.0 * 1024 * 1024))
                                         : fmt::format("{:.1f} MB", bytes / (1024.0 * 1024));
}

std::string usd(double v)
{
    return fmt::format("${:.2f}", v);
}

void failure_rate(
    const rule& r, const usage_window& w, store::dim_reader& dims, std::int64_t now, rule_result& out
)
{
    const auto counts = w.counts(r.window_minutes, now);
    auto check = [&](const request_counts& c, std::string subject)
    {
        if (c.requests < r.min_requests || c.requests == 0)
            return;
        const double rate = static_cast<double>(c.failures) / static_cast<double>(c.requests);
        if (rate < r.threshold)
            return;
        const auto who = subject == "all" ? std::string("all traffic") : "credential " + subject;
        out.holding.push_back(
            {subject,
             "critical",
             rate,
             r.threshold,
             fmt::format(
                 "Failure rate of {} is {} over the last {} min ({} of {} requests failed); threshold {}",
                 who,
                 percent(rate),
                 r.window_minutes,
                 c.failures,
                 c.requests,
                 percent(r.threshold)
             )}
        );
    };
    if (r.match.empty() && r.scope == "all")
        return check(counts.all, "all");
    for (const auto& [cred, c] : counts.by_credential)
    {
        const auto& name = dims.value(cred);
        if (r.match.empty() || name == r.match)
            check(c, name.empty() ? "(none)" : name);
    }
}

void consecutive(const rule& r, const usage_window& w, store::dim_reader& dims, rule_result& out)
{
    const bool quota = std::find(r.statuses.begin(), r.statuses.end(), 429) != r.statuses.end();
    std::string statuses;
    for (int s : r.statuses)
        statuses += (statuses.empty() ? "" : "/") + std::to_string(s);
    for (const auto& [cred, trail] : w.trailing_failures())
    {
        const auto& name = dims.value(cred);
        if (!r.match.empty() && name != r.match)
            continue;
        int run = 0;
        for (auto it = trail.rbegin(); it != trail.rend(); ++it)
        {
            if (std::find(r.statuses.begin(), r.statuses.end(), *it) == r.statuses.end())
                break;
            ++run;
        }
        if (run < r.count)
            continue;
        const auto subject = name.empty() ? std::string("(none)") : name;
        out.holding.push_back(
            {subject,
             "critical",
             static_cast<double>(run),
             static_cast<double>(r.count),
             fmt::format(
                 "Credential {} failed {}{} times in a row with {} ({})",
                 subject,
                 run >= static_cast<int>(usage_window::max_trailing) ? "at least " : "",
                 run,
                 statuses,
                 quota ? "quota exhausted?" : "needs re-login?"
             )}
        );
    }
}

void latency(const rule& r, const usage_window& w, store::connection& db, std::int64_t now, rule_result& out)
{
    const auto model = store::find_dim(db, store::dim_kind::model, r.match); // 0: all traffic
    if (!model)
        return; // no such model stored yet
    const auto h = w.latency(r.window_minutes, now, *model);
    const auto p95 = h.quantile(0.95);
    if (!p95 || h.total() < static_cast<std::uint64_t>(r.min_requests) || *p95 < r.threshold)
        return;
    const auto subject = r.match.empty() ? std::string("all") : r.match;
    out.holding.push_back(
        {subject,
         "critical",
         *p95,
         r.threshold,
         fmt::format(
             "Latency P95 of {} is {} over the last {} min ({} requests); threshold {}",
             r.match.empty() ? std::string("all traffic") : r.match,
             seconds_text(*p95),
             r.window_minutes,
             h.total(),
             seconds_text(r.threshold)
         )}
    );
}

void budget(
    const rule& r,
    const usage_window& w,
    store::dim_reader& dims,
    const store::api_key_alias_map& aliases,
    rule_result& out
)
{
    const auto period = r.period == "week"    ? budget_period::week
                        : r.period == "month" ? budget_period::month
                                              : budget_period::day;
    const auto spent = w.period_spend(period);
    const char* period_name = r.period == "week" ? "this week" : r.period == "month" ? "this month" : "today";
    auto check = [&](double v, const std::string& subject, const std::string& who)
    {
        const double share = v / r.threshold;
        if (share * 100 < r.warn_percent)
            return;
        out.holding.push_back(
            {subject,
             share >= 1 ? "critical" : "warning",
             v,
             r.threshold,
             fmt::format(
                 "Spend of {} {} is {} of the {} soft budget ({:.0f} %); cpamd cannot block requests",
                 who,
                 period_name,
                 usd(v),
                 usd(r.threshold),
                 share * 100
             )}
        );
    };
    if (r.scope == "all")
        return check(spent.all, "all", "all traffic");
    if (r.scope == "model")
    {
        for (const auto& [id, v] : spent.by_model)
        {
            const auto& name = dims.value(id);
            if (r.match.empty() || name == r.match)
                check(v, name, "model " + name);
        }
        return;
    }
    for (const auto& [id, v] : spent.by_api_key)
    {
        const auto& hash = dims.value(id);
        auto alias = aliases.find(hash);
        const std::string prefix = hash.substr(0, key_label_chars);
        const std::string alias_text = alias == aliases.end() ? "" : alias->second;
        if (!r.match.empty() && !(alias_text == r.match || (!hash.empty() && hash.starts_with(r.match))))
            continue;
        // Requests sent without an API key are one subject of their own, named like failure_rate's.
        const auto subject = hash.empty()         ? std::string("(no key)")
                             : alias_text.empty() ? prefix
                                                  : prefix + " (" + alias_text + ")";
        check(v, subject, "API key " + subject);
    }
}

} // namespace

std::vector<rule_result> evaluate_rules(
    const alerts_config& config, const usage_window& window, store::connection& db, const daemon_facts& f
)
{
    std::vector<rule_result> out;
    store::dim_reader dims(db);
    std::optional<store::api_key_alias_map> aliases;
    const bool ready = window.ready();
    for (const auto& r : config.rules)
    {
        if (!r.enabled)
            continue;
        rule_result res;
        res.source = &r;
        res.evaluated = true;
        switch (r.kind)
        {
        case rule_kind::failure_rate:
            res.evaluated = ready;
            if (ready)
                failure_rate(r, window, dims, f.now_ms, res);
            break;
        case rule_kind::consecutive_failures:
            res.evaluated = ready;
            if (ready)
                consecutive(r, window, dims, res);
            break;
        case rule_kind::latency_p95:
            res.evaluated = ready;
            if (ready)
                latency(r, window, db, f.now_ms, res);
            break;
        case rule_kind::budget:
            res.evaluated = ready;
            if (ready)
                budget(
                    r,
                    window,
                    dims,
                    aliases ? *aliases : aliases.emplace(store::load_api_key_aliases(db)),
                    res
                );
            break;
        case rule_kind::no_events:
        {
            const auto limit = static_cast<std::int64_t>(r.minutes * 60'000);
            const auto since = std::max({f.last_inserted_ms, f.connected_since_ms, f.watching_since_ms});
            if (f.connected_since_ms != 0 && f.now_ms - since >= limit)
                res.holding.push_back(
                    {"collector",
                     "critical",
                     static_cast<double>(f.now_ms - since) / 60'000,
                     r.minutes,
                     fmt::format(
                         "No event collected for {} while CPA is connected (collector stalled?)",
                         minutes_text(f.now_ms - since)
                     )}
                );
            break;
        }
        case rule_kind::collector_disconnected:
        {
            const auto limit = static_cast<std::int64_t>(r.minutes * 60'000);
            if (f.collector_enabled && f.disconnected_since_ms != 0 &&
                f.now_ms - f.disconnected_since_ms >= limit)
                res.holding.push_back(
                    {"collector",
                     "critical",
                     static_cast<double>(f.now_ms - f.disconnected_since_ms) / 60'000,
                     r.minutes,
                     fmt::format(
                         "Collector disconnected from CPA for {}{}",
                         minutes_text(f.now_ms - f.disconnected_since_ms),
                         f.collector_error.empty() ? "" : " (last error: " + f.collector_error + ")"
                     )}
                );
            break;
        }
        case rule_kind::storage_size:
        {
            const bool wal = r.file == "wal";
            const double bytes = static_cast<double>(wal ? f.wal_bytes : f.database_bytes);
            const double limit = r.threshold * 1024 * 1024;
            if (bytes >= limit)
                res.holding.push_back(
                    {r.file,
                     "critical",
                     bytes / (1024 * 1024),
                     r.threshold,
                     fmt::format(
                         "{} is {}; threshold {}",
                         wal ? "The WAL file" : "The database",
                         megabytes(bytes),
                         megabytes(limit)
                     )}
                );
            break;
        }
        }
        out.push_back(std::move(res));
    }
    return out;
}

} // namespace cpamd::alerts
