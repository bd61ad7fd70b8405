#pragma once

// What to tell, tick by tick: a condition that starts holding fires, one that stops holding is
// resolved (only if its firing was told), and a rule's cool-down spaces its notices per subject:
// after a notice, the same rule and subject fire again only once the cool-down has passed (a
// condition still holding then is told then). A budget stepping from warning to critical is told
// at once. Not thread-safe: the engine's loop owns it.

#include <cpamd/alerts/rule_eval.hpp>
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace cpamd::alerts
{

struct notice
{
    std::string rule, rule_name, kind, subject;
    std::string event; // "firing", "resolved" or "test"
    std::string level; // "warning" or "critical"
    double value = 0, threshold = 0;
    std::string message;
    std::int64_t at_ms = 0, since_ms = 0;
    std::vector<std::string> sinks; // the rule's sinks (empty: every enabled one)
};

struct active_alert
{
    std::string rule, kind, subject, level, message;
    double value = 0, threshold = 0;
    std::int64_t since_ms = 0;
};

class alert_tracker
{
public:
    // The notices of this tick. Rules not in `results` (removed or disabled) are forgotten
    // silently; rules not evaluated this tick are left as they were.
    std::vector<notice> update(const std::vector<rule_result>& results, std::int64_t now_ms);
    std::vector<active_alert> active() const;
    // After a restart: conditions whose firing was told before it (history.hpp's
    // unresolved_firings), so one that still holds is not told twice and one that cleared is
    // resolved. Its cool-down runs from that notice.
    void restore(const std::vector<notice>& firing);

private:
    struct state
    {
        condition now;
        std::string kind;
        std::int64_t since_ms = 0;
        bool told = false; // a firing notice went out for this episode
        std::string told_level;
    };
    using key = std::pair<std::string, std::string>; // rule id, subject
    std::map<key, state> active_;
    std::map<key, std::int64_t> last_notice_ms_; // of firing notices, for the cool-down
};

} // namespace cpamd::alerts
