#include <cpamd/alerts/alert_tracker.hpp>
#include <set>

namespace cpamd::alerts
{

std::vector<notice> alert_tracker::update(const std::vector<rule_result>& results, std::int64_t now_ms)
{
    std::vector<notice> out;
    std::set<std::string> present;
    auto make = [&](const rule& r, const std::string& event, const condition& c, std::int64_t since)
    {
        notice n;
        n.rule = r.id;
        n.rule_name = r.name;
        n.kind = std::string(to_string(r.kind));
        n.subject = c.subject;
        n.event = event;
        n.level = c.level;
        n.value = c.value;
        n.threshold = c.threshold;
        n.message = c.message;
        n.at_ms = now_ms;
        n.since_ms = since;
        n.sinks = r.sinks;
        return n;
    };

    for (const auto& res : results)
    {
        const rule& r = *res.source;
        present.insert(r.id);
        if (!res.evaluated)
            continue;
        const auto cooldown_ms = static_cast<std::int64_t>(r.cooldown_minutes * 60'000);
        std::set<std::string> holding;
        for (const auto& c : res.holding)
        {
            const key k{r.id, c.subject};
            holding.insert(c.subject);
            auto [it, fresh] = active_.try_emplace(k);
            state& s = it->second;
            if (fresh)
            {
                s.since_ms = now_ms;
                s.kind = std::string(to_string(r.kind));
            }
            s.now = c;
            auto last = last_notice_ms_.find(k);
            const bool cooled = last == last_notice_ms_.end() || now_ms - last->second >= cooldown_ms;
            if (s.told && c.level == "warning")
                s.told_level = c.level; // back from critical: a new step up is told again
            const bool escalated = s.told && s.told_level == "warning" && c.level == "critical";
            if ((!s.told && cooled) || escalated)
            {
                out.push_back(make(r, "firing", c, s.since_ms));
                s.told = true;
                s.told_level = c.level;
                last_notice_ms_[k] = now_ms;
            }
        }
        for (auto it = active_.lower_bound({r.id, ""}); it != active_.end() && it->first.first == r.id;)
        {
            if (holding.contains(it->first.second))
            {
                ++it;
                continue;
            }
            if (it->second.told)
            {
                condition c = it->second.now;
                c.message = "Resolved: " + c.message;
                out.push_back(make(r, "resolved", c, it->second.since_ms));
            }
            it = active_.erase(it);
        }
    }
    // Rules removed or disabled: forgotten without a word.
    for (auto it = active_.begin(); it != active_.end();)
        it = present.contains(it->first.first) ? std::next(it) : active_.erase(it);
    for (auto it = last_notice_ms_.begin(); it != last_notice_ms_.end();)
        it = present.contains(it->first.first) ? std::next(it) : last_notice_ms_.erase(it);
    return out;
}

void alert_tracker::restore(const std::vector<notice>& firing)
{
    for (const auto& n : firing)
    {
        const key k{n.rule, n.subject};
        state& s = active_[k];
        s.now = condition{n.subject, n.level, n.value, n.threshold, n.message};
        s.kind = n.kind;
        s.since_ms = n.since_ms;
        s.told = true;
        s.told_level = n.level;
        last_notice_ms_[k] = n.at_ms;
    }
}

std::vector<active_alert> alert_tracker::active() const
{
    std::vector<active_alert> out;
    for (const auto& [k, s] : active_)
        out.push_back(
            {k.first, s.kind, k.second, s.now.level, s.now.message, s.now.value, s.now.threshold, s.since_ms}
        );
    return out;
}

} // namespace cpamd::alerts
