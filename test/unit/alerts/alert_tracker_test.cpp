// alert_tracker: which notices a tick tells, from rule results built by hand (docs/alerts.md,
// "How notices follow conditions"). The rules live in the test; results point at them.

#include <catch2/catch.hpp>
#include <cpamd/alerts/alert_tracker.hpp>
#include <cstdint>
#include <string>
#include <vector>

namespace
{

using namespace cpamd::alerts;

constexpr std::int64_t minute_ms = 60'000;
constexpr std::int64_t t0 = 1'780'000'000'000; // 2026-05-28

rule make_rule(std::string id, double cooldown_minutes = 60, rule_kind kind = rule_kind::failure_rate)
{
    rule r;
    r.id = std::move(id);
    r.name = "name of " + r.id;
    r.kind = kind;
    r.cooldown_minutes = cooldown_minutes;
    r.sinks = {"hook"};
    return r;
}

condition holds(std::string subject, std::string level = "critical", double value = 0.5)
{
    return {std::move(subject), std::move(level), value, 0.2, "message " + std::to_string(value)};
}

rule_result evaluated(const rule& r, std::vector<condition> holding = {})
{
    return {&r, true, std::move(holding)};
}

rule_result not_evaluated(const rule& r)
{
    return {&r, false, {}};
}

// The events of `notices` as "event:rule/subject:level" strings, in order.
std::vector<std::string> told(const std::vector<notice>& notices)
{
    std::vector<std::string> out;
    for (const auto& n : notices)
        out.push_back(n.event + ":" + n.rule + "/" + n.subject + ":" + n.level);
    return out;
}

using strings = std::vector<std::string>;

} // namespace

TEST_CASE(
    "a condition fires once, stays silent while it holds, and resolves when it clears", "[alerts][tracker]"
)
{
    const auto r = make_rule("fail");
    alert_tracker t;

    auto first = t.update({evaluated(r, {holds("all", "critical", 0.4)})}, t0);
    REQUIRE(told(first) == strings{"firing:fail/all:critical"});
    const notice& n = first.front();
    CHECK(n.rule_name == "name of fail");
    CHECK(n.kind == "failure_rate");
    CHECK(n.value == 0.4);
    CHECK(n.threshold == 0.2);
    CHECK(n.message == "message 0.400000");
    CHECK(n.at_ms == t0);
    CHECK(n.since_ms == t0);
    CHECK(n.sinks == strings{"hook"});

    for (int i = 1; i <= 5; ++i)
        CHECK(t.update({evaluated(r, {holds("all", "critical", 0.5)})}, t0 + i * minute_ms).empty());

    auto resolved = t.update({evaluated(r)}, t0 + 6 * minute_ms);
    REQUIRE(told(resolved) == strings{"resolved:fail/all:critical"});
    CHECK(resolved.front().since_ms == t0);
    CHECK(resolved.front().at_ms == t0 + 6 * minute_ms);
    CHECK(resolved.front().value == 0.5); // the last value seen
    CHECK(resolved.front().message.rfind("Resolved: ", 0) == 0);
    CHECK(t.active().empty());

    // Nothing more while it stays clear.
    CHECK(t.update({evaluated(r)}, t0 + 7 * minute_ms).empty());
}

TEST_CASE(
    "a condition held back by the cool-down and cleared before it ends resolves silently", "[alerts][tracker]"
)
{
    const auto r = make_rule("fail", 10);
    alert_tracker t;
    REQUIRE(told(t.update({evaluated(r, {holds("all")})}, t0)) == strings{"firing:fail/all:critical"});
    REQUIRE(told(t.update({evaluated(r)}, t0 + minute_ms)) == strings{"resolved:fail/all:critical"});

    // Back within the cool-down: held back (not told) ...
    CHECK(t.update({evaluated(r, {holds("all")})}, t0 + 2 * minute_ms).empty());
    REQUIRE(t.active().size() == 1);
    // ... and clearing before it ends tells nothing: its firing never went out.
    CHECK(t.update({evaluated(r)}, t0 + 3 * minute_ms).empty());
    CHECK(t.active().empty());
}

TEST_CASE(
    "a re-fire within the cool-down is told when the cool-down ends, if still holding", "[alerts][tracker]"
)
{
    const auto r = make_rule("fail", 10);
    alert_tracker t;
    REQUIRE(told(t.update({evaluated(r, {holds("all")})}, t0)) == strings{"firing:fail/all:critical"});
    REQUIRE(told(t.update({evaluated(r)}, t0 + 2 * minute_ms)).size() == 1);

    const std::int64_t back = t0 + 4 * minute_ms;
    CHECK(t.update({evaluated(r, {holds("all")})}, back).empty());
    CHECK(t.update({evaluated(r, {holds("all")})}, t0 + 10 * minute_ms - 1).empty()); // 1 ms short

    auto late = t.update({evaluated(r, {holds("all")})}, t0 + 10 * minute_ms);
    REQUIRE(told(late) == strings{"firing:fail/all:critical"});
    CHECK(late.front().since_ms == back); // the episode began when it came back
    CHECK(late.front().at_ms == t0 + 10 * minute_ms);

    // The next cool-down counts from this notice.
    REQUIRE(told(t.update({evaluated(r)}, t0 + 11 * minute_ms)) == strings{"resolved:fail/all:critical"});
    CHECK(t.update({evaluated(r, {holds("all")})}, t0 + 19 * minute_ms).empty());
    CHECK(
        told(t.update({evaluated(r, {holds("all")})}, t0 + 20 * minute_ms)) ==
        strings{"firing:fail/all:critical"}
    );
}

TEST_CASE("fractional cool-downs count in milliseconds", "[alerts][tracker]")
{
    const auto r = make_rule("fail", 0.5); // 30 s
    alert_tracker t;
    REQUIRE(t.update({evaluated(r, {holds("all")})}, t0).size() == 1);
    REQUIRE(t.update({evaluated(r)}, t0 + 1000).size() == 1);
    CHECK(t.update({evaluated(r, {holds("all")})}, t0 + 29'999).empty());
    CHECK(told(t.update({evaluated(r, {holds("all")})}, t0 + 30'000)) == strings{"firing:fail/all:critical"});
}

TEST_CASE("with no cool-down a condition that comes back fires at once", "[alerts][tracker]")
{
    const auto r = make_rule("fail", 0);
    alert_tracker t;
    for (int i = 0; i < 3; ++i)
    {
        CHECK(
            told(t.update({evaluated(r, {holds("all")})}, t0 + 2 * i)) == strings{"firing:fail/all:critical"}
        );
        CHECK(told(t.update({evaluated(r)}, t0 + 2 * i + 1)) == strings{"resolved:fail/all:critical"});
    }
}

TEST_CASE(
    "a budget stepping from warning to critical is told at once, inside the cool-down", "[alerts][tracker]"
)
{
    const auto r = make_rule("daily", 60, rule_kind::budget);
    alert_tracker t;
    REQUIRE(
        told(t.update({evaluated(r, {holds("all", "warning", 40)})}, t0)) ==
        strings{"firing:daily/all:warning"}
    );
    CHECK(t.update({evaluated(r, {holds("all", "warning", 45)})}, t0 + minute_ms).empty());

    auto up = t.update({evaluated(r, {holds("all", "critical", 51)})}, t0 + 2 * minute_ms);
    REQUIRE(told(up) == strings{"firing:daily/all:critical"});
    CHECK(up.front().kind == "budget");
    CHECK(up.front().since_ms == t0); // the same episode

    // Critical again: nothing more; and the active entry shows the new level.
    CHECK(t.update({evaluated(r, {holds("all", "critical", 55)})}, t0 + 3 * minute_ms).empty());
    REQUIRE(t.active().size() == 1);
    CHECK(t.active().front().level == "critical");
    CHECK(t.active().front().value == 55);

    // The period ends: resolved at the level it had.
    CHECK(told(t.update({evaluated(r)}, t0 + 4 * minute_ms)) == strings{"resolved:daily/all:critical"});
}

TEST_CASE("a budget back from critical to warning is told again when it turns critical", "[alerts][tracker]")
{
    const auto r = make_rule("daily", 60, rule_kind::budget);
    alert_tracker t;
    REQUIRE(
        told(t.update({evaluated(r, {holds("all", "critical", 60)})}, t0)) ==
        strings{"firing:daily/all:critical"}
    );
    // The rule was raised: only a warning now, which is not news.
    CHECK(t.update({evaluated(r, {holds("all", "warning", 60)})}, t0 + minute_ms).empty());
    // Spending goes on past the raised budget: told at once, cool-down or not.
    CHECK(
        told(t.update({evaluated(r, {holds("all", "critical", 90)})}, t0 + 2 * minute_ms)) ==
        strings{"firing:daily/all:critical"}
    );
}

TEST_CASE("a rule not evaluated this tick keeps its state", "[alerts][tracker]")
{
    const auto r = make_rule("fail");
    alert_tracker t;
    REQUIRE(t.update({evaluated(r, {holds("all")})}, t0).size() == 1);

    // No data this tick: neither resolved nor forgotten.
    CHECK(t.update({not_evaluated(r)}, t0 + minute_ms).empty());
    REQUIRE(t.active().size() == 1);
    CHECK(t.active().front().since_ms == t0);

    // Still holding when it is evaluated again: no second firing.
    CHECK(t.update({evaluated(r, {holds("all")})}, t0 + 2 * minute_ms).empty());
    // And its resolution is still told (the firing was remembered).
    CHECK(told(t.update({not_evaluated(r)}, t0 + 3 * minute_ms)).empty());
    CHECK(told(t.update({evaluated(r)}, t0 + 4 * minute_ms)) == strings{"resolved:fail/all:critical"});
}

TEST_CASE("a rule absent from the results is forgotten without a notice", "[alerts][tracker]")
{
    const auto gone = make_rule("gone", 0);
    const auto kept = make_rule("kept");
    alert_tracker t;
    REQUIRE(t.update({evaluated(gone, {holds("all")}), evaluated(kept, {holds("all")})}, t0).size() == 2);
    REQUIRE(t.active().size() == 2);

    // `gone` was removed (or disabled): no resolved notice, and it is no longer active.
    CHECK(t.update({evaluated(kept, {holds("all")})}, t0 + minute_ms).empty());
    REQUIRE(t.active().size() == 1);
    CHECK(t.active().front().rule == "kept");

    // Added back while its condition holds: a new episode, told again.
    auto again =
        t.update({evaluated(gone, {holds("all")}), evaluated(kept, {holds("all")})}, t0 + 2 * minute_ms);
    REQUIRE(told(again) == strings{"firing:gone/all:critical"});
    CHECK(again.front().since_ms == t0 + 2 * minute_ms);

    // Every rule removed: silence, nothing active.
    CHECK(t.update({}, t0 + 3 * minute_ms).empty());
    CHECK(t.active().empty());
}

TEST_CASE("several subjects of one rule are independent", "[alerts][tracker]")
{
    const auto r = make_rule("relogin", 10, rule_kind::consecutive_failures);
    alert_tracker t;
    CHECK(told(t.update({evaluated(r, {holds("cred-a")})}, t0)) == strings{"firing:relogin/cred-a:critical"});

    // A second subject fires although the first one's cool-down runs; the first stays silent.
    CHECK(
        told(t.update({evaluated(r, {holds("cred-a"), holds("cred-b")})}, t0 + minute_ms)) ==
        strings{"firing:relogin/cred-b:critical"}
    );

    // One clears, the other holds.
    CHECK(
        told(t.update({evaluated(r, {holds("cred-b")})}, t0 + 2 * minute_ms)) ==
        strings{"resolved:relogin/cred-a:critical"}
    );
    REQUIRE(t.active().size() == 1);
    CHECK(t.active().front().subject == "cred-b");

    // cred-a back within its own cool-down: held back; cred-b unaffected.
    CHECK(t.update({evaluated(r, {holds("cred-a"), holds("cred-b")})}, t0 + 3 * minute_ms).empty());
    // cred-a's cool-down ends at t0 + 10 min, cred-b's at t0 + 11 min.
    CHECK(
        told(t.update({evaluated(r, {holds("cred-a"), holds("cred-b")})}, t0 + 10 * minute_ms)) ==
        strings{"firing:relogin/cred-a:critical"}
    );
    CHECK(
        told(t.update({evaluated(r)}, t0 + 12 * minute_ms)) ==
        strings{"resolved:relogin/cred-a:critical", "resolved:relogin/cred-b:critical"}
    );
}

TEST_CASE("the same subject under two rules is two conditions", "[alerts][tracker]")
{
    const auto a = make_rule("a");
    const auto b = make_rule("b");
    alert_tracker t;
    CHECK(
        told(t.update({evaluated(a, {holds("all")}), evaluated(b, {holds("all")})}, t0)) ==
        strings{"firing:a/all:critical", "firing:b/all:critical"}
    );
    CHECK(
        told(t.update({evaluated(a), evaluated(b, {holds("all")})}, t0 + 1)) ==
        strings{"resolved:a/all:critical"}
    );
}

TEST_CASE("active() lists every condition that holds, told or held back", "[alerts][tracker]")
{
    const auto fail = make_rule("fail", 10);
    const auto budget = make_rule("daily", 60, rule_kind::budget);
    alert_tracker t;
    CHECK(t.active().empty());

    t.update({evaluated(fail, {holds("all")}), evaluated(budget)}, t0);
    t.update({evaluated(fail), evaluated(budget)}, t0 + 1); // resolved
    // fail comes back inside its cool-down (held back); the budget warns for one key.
    auto n = t.update(
        {evaluated(fail, {holds("all", "critical", 0.7)}), evaluated(budget, {holds("key1", "warning", 42)})},
        t0 + minute_ms
    );
    CHECK(told(n) == strings{"firing:daily/key1:warning"});

    auto active = t.active();
    REQUIRE(active.size() == 2);
    // Ordered by rule id, then subject.
    CHECK(active[0].rule == "daily");
    CHECK(active[0].kind == "budget");
    CHECK(active[0].subject == "key1");
    CHECK(active[0].level == "warning");
    CHECK(active[0].value == 42);
    CHECK(active[0].threshold == 0.2);
    CHECK(active[0].message == "message 42.000000");
    CHECK(active[0].since_ms == t0 + minute_ms);
    CHECK(active[1].rule == "fail");
    CHECK(active[1].kind == "failure_rate");
    CHECK(active[1].subject == "all");
    CHECK(active[1].value == 0.7);
    CHECK(active[1].since_ms == t0 + minute_ms);
}

TEST_CASE("restored firings are not told again, and resolve when they clear", "[alerts][tracker]")
{
    const auto disk = make_rule("disk", 60, rule_kind::storage_size);
    const auto fails = make_rule("fails", 60);
    alert_tracker t;
    notice was;
    was.rule = "disk";
    was.kind = "storage_size";
    was.subject = "database";
    was.event = "firing";
    was.level = "critical";
    was.at_ms = was.since_ms = t0 - minute_ms;
    notice other = was;
    other.rule = "fails";
    other.subject = "all";
    t.restore({was, other});
    REQUIRE(t.active().size() == 2);
    // disk still holds: nothing; fails cleared: resolved at once.
    CHECK(
        told(t.update({evaluated(disk, {holds("database", "critical", 5)}), evaluated(fails)}, t0)) ==
        strings{"resolved:fails/all:critical"}
    );
    // disk clears, comes back within the restored notice's cool-down: held back.
    CHECK(
        told(t.update({evaluated(disk), evaluated(fails)}, t0 + minute_ms)) ==
        strings{"resolved:disk/database:critical"}
    );
    CHECK(
        t.update({evaluated(disk, {holds("database", "critical", 5)}), evaluated(fails)}, t0 + 2 * minute_ms)
            .empty()
    );
    CHECK(
        told(t.update(
            {evaluated(disk, {holds("database", "critical", 5)}), evaluated(fails)}, t0 + 59 * minute_ms
        )) == strings{"firing:disk/database:critical"}
    );
}
