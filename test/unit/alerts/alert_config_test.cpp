// The alerts configuration (docs/alerts.md): defaults, validation messages naming the field,
// secrets kept across a PUT that sends them back masked, the sealed stored form and the masked
// answered form.

#include <array>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>
#include <cpamd/alerts/alert_config.hpp>
#include <cpamd/security/mask.hpp>
#include <cpamd/security/secret_box.hpp>
#include <fmt/format.h>
#include <random>
#include <string>
#include <string_view>
#include <tuple>

namespace
{

using namespace cpamd;
using namespace cpamd::alerts;
namespace json = boost::json;

constexpr std::string_view header_secret = "Bearer hook-secret-0123456789abcdef";
constexpr std::string_view slack_secret = "https://hooks.slack.com/services/T000/B000/slacksecretXYZ123";
constexpr std::string_view bot_secret = "123456:ABCdefGHIjklMNOpqrSTUvwxYZ";
constexpr std::string_view ntfy_secret = "tk_ntfysecretabcdefghijklmn";
constexpr std::string_view smtp_secret = "smtp-password-0123456789";

// Every rule kind and every sink kind, every secret set.
const char* const full_config = R"({
  "enabled": false,
  "evaluateSeconds": 45,
  "timezone": "Europe/Berlin",
  "delivery": {"timeoutSeconds": 20, "retries": 5},
  "rules": [
    {"id": "failures", "name": "Failure rate", "kind": "failure_rate", "scope": "credential",
     "credential": "abcd", "threshold": 0.25, "windowMinutes": 30, "minRequests": 7,
     "cooldownMinutes": 0.5, "sinks": ["hook", "mail"]},
    {"id": "quota", "kind": "consecutive_failures", "statuses": [429], "count": 5, "enabled": false},
    {"id": "slow", "kind": "latency_p95", "thresholdMs": 30000, "model": "gpt-5.4"},
    {"id": "stalled", "kind": "no_events", "minutes": 12.5},
    {"id": "disconnected", "kind": "collector_disconnected"},
    {"id": "disk", "kind": "storage_size", "file": "wal", "thresholdMb": 512},
    {"id": "monthly", "kind": "budget", "period": "month", "scope": "api_key", "match": "Team Alpha",
     "usd": 123.5, "warnPercent": 90}
  ],
  "sinks": [
    {"id": "hook", "name": "Hook", "kind": "webhook", "url": "https://example.org/hook",
     "headers": {"Authorization": "Bearer hook-secret-0123456789abcdef", "X-Other": "other-header-value-0123"}},
    {"id": "slack", "kind": "slack", "url": "https://hooks.slack.com/services/T000/B000/slacksecretXYZ123"},
    {"id": "tg", "kind": "telegram", "botToken": "123456:ABCdefGHIjklMNOpqrSTUvwxYZ", "chatId": "-100123"},
    {"id": "ntfy", "kind": "ntfy", "url": "https://ntfy.sh/my-cpa", "token": "tk_ntfysecretabcdefghijklmn",
     "enabled": false},
    {"id": "mail", "kind": "smtp", "host": "smtp.example.org", "port": 465, "security": "tls",
     "username": "cpamd", "password": "smtp-password-0123456789", "from": "cpamd@example.org",
     "to": ["ops@example.org", "dev@example.org"]}
  ]
})";

parsed_alerts parse(std::string_view text, const alerts_config* previous = nullptr)
{
    return parse_alerts(json::parse(text), previous);
}

alerts_config parse_ok(std::string_view text, const alerts_config* previous = nullptr)
{
    auto p = parse(text, previous);
    INFO(text);
    INFO((p.error ? p.error->message : std::string()));
    REQUIRE(p.ok.has_value());
    REQUIRE_FALSE(p.error.has_value());
    return *p.ok;
}

auto fields_of(const rule& r)
{
    return std::tie(
        r.id,
        r.name,
        r.kind,
        r.enabled,
        r.cooldown_minutes,
        r.sinks,
        r.scope,
        r.match,
        r.threshold,
        r.window_minutes,
        r.min_requests,
        r.statuses,
        r.count,
        r.minutes,
        r.file,
        r.period,
        r.warn_percent
    );
}

auto fields_of(const sink& s)
{
    return std::tie(
        s.id,
        s.name,
        s.kind,
        s.enabled,
        s.url,
        s.headers,
        s.bot_token,
        s.chat_id,
        s.api_base,
        s.token,
        s.host,
        s.port,
        s.security,
        s.username,
        s.password,
        s.from,
        s.to
    );
}

void check_same(const alerts_config& a, const alerts_config& b)
{
    CHECK(a.enabled == b.enabled);
    CHECK(a.evaluate_seconds == b.evaluate_seconds);
    CHECK(a.timezone == b.timezone);
    CHECK(a.timeout_seconds == b.timeout_seconds);
    CHECK(a.retries == b.retries);
    REQUIRE(a.rules.size() == b.rules.size());
    for (std::size_t i = 0; i < a.rules.size(); ++i)
    {
        INFO("rule " << a.rules[i].id);
        CHECK(fields_of(a.rules[i]) == fields_of(b.rules[i]));
    }
    REQUIRE(a.sinks.size() == b.sinks.size());
    for (std::size_t i = 0; i < a.sinks.size(); ++i)
    {
        INFO("sink " << a.sinks[i].id);
        CHECK(fields_of(a.sinks[i]) == fields_of(b.sinks[i]));
    }
}

security::secret_box random_box()
{
    std::random_device rd;
    std::array<unsigned char, 32> key{};
    for (auto& b : key)
        b = static_cast<unsigned char>(rd());
    return security::secret_box(key);
}

std::string masked(std::string_view s)
{
    return security::mask_secret(s);
}

std::string text_of(const json::value& v)
{
    return v.is_string() ? std::string(v.as_string()) : json::serialize(v);
}

} // namespace

TEST_CASE("an empty object is the default configuration", "[alerts][config]")
{
    auto c = parse_ok("{}");
    CHECK(c.enabled);
    CHECK(c.evaluate_seconds == 30);
    CHECK(c.timezone == "UTC");
    CHECK(c.timeout_seconds == 10);
    CHECK(c.retries == 3);
    CHECK(c.rules.empty());
    CHECK(c.sinks.empty());
    // null members count as absent
    auto n = parse_ok(R"({"enabled": null, "evaluateSeconds": null, "rules": null})");
    CHECK(n.enabled);
    CHECK(n.evaluate_seconds == 30);
}

TEST_CASE("each rule kind has its defaults", "[alerts][config]")
{
    auto c = parse_ok(R"({"rules": [
        {"id": "fr", "kind": "failure_rate"},
        {"id": "cf", "kind": "consecutive_failures"},
        {"id": "lat", "kind": "latency_p95", "thresholdMs": 1000},
        {"id": "ne", "kind": "no_events"},
        {"id": "cd", "kind": "collector_disconnected"},
        {"id": "ss", "kind": "storage_size", "thresholdMb": 100},
        {"id": "bu", "kind": "budget", "usd": 50}
    ]})");
    REQUIRE(c.rules.size() == 7);
    for (const auto& r : c.rules)
    {
        INFO(r.id);
        CHECK(r.enabled);
        CHECK(r.cooldown_minutes == 60);
        CHECK(r.sinks.empty());
        CHECK(r.name.empty());
    }
    const auto& fr = c.rules[0];
    CHECK(fr.kind == rule_kind::failure_rate);
    CHECK(fr.threshold == 0.2);
    CHECK(fr.window_minutes == 15);
    CHECK(fr.min_requests == 10);
    CHECK(fr.scope == "all");
    CHECK(fr.match.empty());

    const auto& cf = c.rules[1];
    CHECK(cf.kind == rule_kind::consecutive_failures);
    CHECK(cf.statuses == std::vector<int>{401, 403});
    CHECK(cf.count == 3);
    CHECK(cf.match.empty());

    const auto& lat = c.rules[2];
    CHECK(lat.kind == rule_kind::latency_p95);
    CHECK(lat.threshold == 1000);
    CHECK(lat.window_minutes == 15);
    CHECK(lat.min_requests == 10);
    CHECK(lat.match.empty());

    CHECK(c.rules[3].kind == rule_kind::no_events);
    CHECK(c.rules[3].minutes == 30);
    CHECK(c.rules[4].kind == rule_kind::collector_disconnected);
    CHECK(c.rules[4].minutes == 5);

    const auto& ss = c.rules[5];
    CHECK(ss.kind == rule_kind::storage_size);
    CHECK(ss.file == "database");
    CHECK(ss.threshold == 100);

    const auto& bu = c.rules[6];
    CHECK(bu.kind == rule_kind::budget);
    CHECK(bu.period == "day");
    CHECK(bu.scope == "all");
    CHECK(bu.match.empty());
    CHECK(bu.threshold == 50);
    CHECK(bu.warn_percent == 80);

    for (auto k :
         {rule_kind::failure_rate,
          rule_kind::consecutive_failures,
          rule_kind::latency_p95,
          rule_kind::no_events,
          rule_kind::collector_disconnected,
          rule_kind::storage_size,
          rule_kind::budget})
        CHECK_FALSE(to_string(k).empty());
    CHECK(to_string(rule_kind::latency_p95) == "latency_p95");
    CHECK(to_string(sink_kind::ntfy) == "ntfy");
}

TEST_CASE("each sink kind has its defaults", "[alerts][config]")
{
    auto c = parse_ok(R"({"sinks": [
        {"id": "hook", "kind": "webhook", "url": "https://example.org/hook"},
        {"id": "tg", "kind": "telegram", "botToken": "123:abc", "chatId": "42"},
        {"id": "ntfy", "kind": "ntfy", "url": "http://ntfy.local/topic"},
        {"id": "mail", "kind": "smtp", "host": "mx", "from": "a@example.org", "to": ["b@example.org"]}
    ]})");
    REQUIRE(c.sinks.size() == 4);
    for (const auto& s : c.sinks)
        CHECK(s.enabled);
    CHECK(c.sinks[0].headers.empty());
    CHECK(c.sinks[1].api_base == "https://api.telegram.org");
    CHECK(c.sinks[2].token.empty());
    CHECK(c.sinks[3].port == 587);
    CHECK(c.sinks[3].security == "starttls");
    CHECK(c.sinks[3].password.empty());
    CHECK(c.find_sink("ntfy") == &c.sinks[2]);
    CHECK(c.find_sink("nope") == nullptr);
}

TEST_CASE("the full example parses member by member", "[alerts][config]")
{
    auto c = parse_ok(full_config);
    CHECK_FALSE(c.enabled);
    CHECK(c.evaluate_seconds == 45);
    CHECK(c.timezone == "Europe/Berlin");
    CHECK(c.timeout_seconds == 20);
    CHECK(c.retries == 5);
    REQUIRE(c.rules.size() == 7);
    CHECK(c.rules[0].scope == "credential");
    CHECK(c.rules[0].match == "abcd");
    CHECK(c.rules[0].threshold == 0.25);
    CHECK(c.rules[0].cooldown_minutes == 0.5);
    CHECK(c.rules[0].sinks == std::vector<std::string>{"hook", "mail"});
    CHECK(c.rules[1].statuses == std::vector<int>{429});
    CHECK_FALSE(c.rules[1].enabled);
    CHECK(c.rules[2].match == "gpt-5.4");
    CHECK(c.rules[3].minutes == 12.5);
    CHECK(c.rules[5].file == "wal");
    CHECK(c.rules[6].period == "month");
    CHECK(c.rules[6].scope == "api_key");
    CHECK(c.rules[6].match == "Team Alpha");
    CHECK(c.rules[6].threshold == 123.5);
    CHECK(c.rules[6].warn_percent == 90);
    REQUIRE(c.sinks.size() == 5);
    CHECK(c.sinks[0].headers.size() == 2);
    CHECK(
        c.sinks[0].headers[0] ==
        std::pair<std::string, std::string>{"Authorization", std::string(header_secret)}
    );
    CHECK(c.sinks[1].url == slack_secret);
    CHECK(c.sinks[2].bot_token == bot_secret);
    CHECK(c.sinks[3].token == ntfy_secret);
    CHECK_FALSE(c.sinks[3].enabled);
    CHECK(c.sinks[4].password == smtp_secret);
    CHECK(c.sinks[4].port == 465);
    CHECK(c.sinks[4].security == "tls");
    CHECK(c.sinks[4].to.size() == 2);
}

TEST_CASE("every validation error names its field", "[alerts][config]")
{
    struct bad
    {
        const char* input;
        const char* prefix;
    };
    // A valid sink to name from rules, and valid rule bodies to break one member at a time.
    const bad cases[] = {
        {R"([])", "alerts must be an object"},
        {R"({"enabled": "yes"})", "enabled must be true or false"},
        {R"({"evaluateSeconds": 0})", "evaluateSeconds must be an integer from 1 to 3600"},
        {R"({"evaluateSeconds": 3601})", "evaluateSeconds must be an integer from 1 to 3600"},
        {R"({"evaluateSeconds": 1.5})", "evaluateSeconds must be an integer"},
        {R"({"evaluateSeconds": "30"})", "evaluateSeconds must be an integer"},
        {R"({"timezone": "Mars/Olympus_Mons"})", "timezone must be an IANA time zone name"},
        {R"({"timezone": 5})", "timezone must be a string of at most 64 bytes"},
        {R"({"delivery": 5})", "delivery must be an object"},
        {R"({"delivery": {"timeoutSeconds": 0}})",
         "delivery.timeoutSeconds must be an integer from 1 to 120"},
        {R"({"delivery": {"retries": 11}})", "delivery.retries must be an integer from 0 to 10"},
        {R"({"rules": {}})", "rules must be an array of at most 200 rules"},
        {R"({"rules": [5]})", "rules[0] must be an object"},
        {R"({"rules": [{"kind": "no_events"}]})",
         "rules[0].id must be 1-64 letters, digits, '-', '_' or '.'"},
        {R"({"rules": [{"id": "a b", "kind": "no_events"}]})", "rules[0].id must be 1-64 letters"},
        {R"({"rules": [{"id": "a", "kind": "nope"}]})",
         "rules[0].kind must be one of failure_rate, consecutive_failures, latency_p95, no_events, "
         "collector_disconnected, storage_size, budget"},
        {R"({"rules": [{"id": "a", "kind": "no_events", "name": 5}]})",
         "rules[0].name must be a string of at most 200 bytes"},
        {R"({"rules": [{"id": "a", "kind": "no_events", "enabled": 1}]})",
         "rules[0].enabled must be true or false"},
        {R"({"rules": [{"id": "a", "kind": "no_events", "cooldownMinutes": -1}]})",
         "rules[0].cooldownMinutes must be a number in [0, 10080]"},
        {R"({"rules": [{"id": "a", "kind": "no_events", "sinks": "hook"}]})",
         "rules[0].sinks must be an array of at most 50 strings"},
        {R"({"rules": [{"id": "a", "kind": "no_events", "sinks": [""]}]})",
         "rules[0].sinks must hold non-empty strings"},
        {R"({"rules": [{"id": "a", "kind": "no_events", "sinks": ["nope"]}]})",
         "rules[0].sinks names nope, which is not a sink"},
        {R"({"rules": [{"id": "a", "kind": "no_events"}, {"id": "a", "kind": "no_events"}]})",
         "rules[1].id is used by another rule"},
        {R"({"rules": [{"id": "a", "kind": "no_events"}, {"id": "b", "kind": "failure_rate", "threshold": 0}]})",
         "rules[1].threshold must be a number in (0, 1]"},
        {R"({"rules": [{"id": "a", "kind": "failure_rate", "threshold": 1.01}]})",
         "rules[0].threshold must be a number in (0, 1]"},
        {R"({"rules": [{"id": "a", "kind": "failure_rate", "threshold": "high"}]})",
         "rules[0].threshold must be a number"},
        {R"({"rules": [{"id": "a", "kind": "failure_rate", "scope": "model"}]})",
         "rules[0].scope must be one of all, credential"},
        {R"({"rules": [{"id": "a", "kind": "failure_rate", "windowMinutes": 1441}]})",
         "rules[0].windowMinutes must be an integer from 1 to 1440"},
        {R"({"rules": [{"id": "a", "kind": "failure_rate", "minRequests": 0}]})",
         "rules[0].minRequests must be an integer from 1 to 1000000"},
        {R"({"rules": [{"id": "a", "kind": "failure_rate", "credential": 7}]})",
         "rules[0].credential must be a string of at most 256 bytes"},
        {R"({"rules": [{"id": "a", "kind": "consecutive_failures", "statuses": []}]})",
         "rules[0].statuses must be an array of 1-20 HTTP statuses"},
        {R"({"rules": [{"id": "a", "kind": "consecutive_failures", "statuses": [429, 99]}]})",
         "rules[0].statuses must hold HTTP statuses (100-599)"},
        {R"({"rules": [{"id": "a", "kind": "consecutive_failures", "count": 101}]})",
         "rules[0].count must be an integer from 1 to 100"},
        {R"({"rules": [{"id": "a", "kind": "latency_p95"}]})", "rules[0].thresholdMs is required"},
        {R"({"rules": [{"id": "a", "kind": "latency_p95", "thresholdMs": 0.5}]})",
         "rules[0].thresholdMs must be a number in [1, 86400000]"},
        {R"({"rules": [{"id": "a", "kind": "no_events", "minutes": 0}]})",
         "rules[0].minutes must be a number in [0.05, 10080]"},
        {R"({"rules": [{"id": "a", "kind": "collector_disconnected", "minutes": 10081}]})",
         "rules[0].minutes must be a number in [0.05, 10080]"},
        {R"({"rules": [{"id": "a", "kind": "storage_size", "thresholdMb": 1, "file": "log"}]})",
         "rules[0].file must be one of database, wal"},
        {R"({"rules": [{"id": "a", "kind": "storage_size"}]})", "rules[0].thresholdMb is required"},
        {R"({"rules": [{"id": "a", "kind": "storage_size", "thresholdMb": 0}]})",
         "rules[0].thresholdMb must be a number in (0, "},
        {R"({"rules": [{"id": "a", "kind": "budget", "usd": 1, "period": "year"}]})",
         "rules[0].period must be one of day, week, month"},
        {R"({"rules": [{"id": "a", "kind": "budget", "usd": 1, "scope": "credential"}]})",
         "rules[0].scope must be one of all, api_key, model"},
        {R"({"rules": [{"id": "a", "kind": "budget", "usd": 1, "match": "gpt-5.4"}]})",
         "rules[0].match must be empty when scope is all"},
        {R"({"rules": [{"id": "a", "kind": "budget"}]})", "rules[0].usd is required"},
        {R"({"rules": [{"id": "a", "kind": "budget", "usd": 0}]})", "rules[0].usd must be a number in (0, "},
        {R"({"rules": [{"id": "a", "kind": "budget", "usd": 5, "warnPercent": 100}]})",
         "rules[0].warnPercent must be an integer from 1 to 99"},
        {R"({"sinks": 3})", "sinks must be an array of at most 50 sinks"},
        {R"({"sinks": ["x"]})", "sinks[0] must be an object"},
        {R"({"sinks": [{"kind": "slack", "url": "https://x.org/"}]})", "sinks[0].id must be 1-64 letters"},
        {R"({"sinks": [{"id": "s", "kind": "pager"}]})",
         "sinks[0].kind must be one of webhook, slack, telegram, ntfy, smtp"},
        {R"({"sinks": [{"id": "s", "kind": "slack", "url": "https://x.org/"}, {"id": "s", "kind": "slack", "url": "https://x.org/"}]})",
         "sinks[1].id is used by another sink"},
        {R"({"sinks": [{"id": "s", "kind": "webhook"}]})", "sinks[0].url is required"},
        {R"({"sinks": [{"id": "s", "kind": "webhook", "url": "ftp://example.org/"}]})",
         "sinks[0].url must be an http:// or https:// URL"},
        {R"({"sinks": [{"id": "s", "kind": "webhook", "url": "https://x.org/", "headers": []}]})",
         "sinks[0].headers must be an object of at most 20 string values"},
        {R"({"sinks": [{"id": "s", "kind": "webhook", "url": "https://x.org/", "headers": {"Bad Name": "v"}}]})",
         "sinks[0].headers must map header names to single-line strings"},
        {R"({"sinks": [{"id": "s", "kind": "webhook", "url": "https://x.org/", "headers": {"X-A": "a\r\nb"}}]})",
         "sinks[0].headers must map header names to single-line strings"},
        {R"({"sinks": [{"id": "s", "kind": "webhook", "url": "https://x.org/", "enabled": "no"}]})",
         "sinks[0].enabled must be true or false"},
        {R"({"sinks": [{"id": "s", "kind": "slack"}]})", "sinks[0].url is required"},
        {R"({"sinks": [{"id": "s", "kind": "slack", "url": "hooks.slack.com"}]})",
         "sinks[0].url must be an http:// or https:// URL"},
        {R"({"sinks": [{"id": "s", "kind": "telegram", "chatId": "1"}]})", "sinks[0].botToken is required"},
        {R"({"sinks": [{"id": "s", "kind": "telegram", "botToken": "1:a"}]})", "sinks[0].chatId is required"},
        {R"({"sinks": [{"id": "s", "kind": "telegram", "botToken": "1:a", "chatId": "1", "apiBase": "nope"}]})",
         "sinks[0].apiBase must be an http:// or https:// URL"},
        {R"({"sinks": [{"id": "s", "kind": "ntfy"}]})", "sinks[0].url is required"},
        {R"({"sinks": [{"id": "s", "kind": "ntfy", "url": "https://ntfy.sh/t", "token": 5}]})",
         "sinks[0].token must be a string of at most 4096 bytes"},
        {R"({"sinks": [{"id": "s", "kind": "smtp", "from": "a@x", "to": ["b@x"]}]})",
         "sinks[0].host is required"},
        {R"({"sinks": [{"id": "s", "kind": "smtp", "host": "mx", "port": 0, "from": "a@x", "to": ["b@x"]}]})",
         "sinks[0].port must be an integer from 1 to 65535"},
        {R"({"sinks": [{"id": "s", "kind": "smtp", "host": "mx", "security": "ssl", "from": "a@x", "to": ["b@x"]}]})",
         "sinks[0].security must be one of starttls, tls, none"},
        {R"({"sinks": [{"id": "s", "kind": "smtp", "host": "mx", "to": ["b@x"]}]})",
         "sinks[0].from is required"},
        {R"({"sinks": [{"id": "s", "kind": "smtp", "host": "mx", "from": "a@x"}]})",
         "sinks[0].to must name at least one recipient"},
        {R"({"sinks": [{"id": "s", "kind": "smtp", "host": "mx", "from": "a@x", "to": ["<b@x>"]}]})",
         "sinks[0].to must hold plain addresses"},
        {R"({"sinks": [{"id": "s", "kind": "smtp", "host": "mx", "from": "A <a@x>", "to": ["b@x"]}]})",
         "sinks[0].from must be a plain address"},
        {R"({"sinks": [{"id": "ok", "kind": "slack", "url": "https://x.org/"}, {"id": "s", "kind": "smtp", "host": "mx", "from": "a@x", "to": [""]}]})",
         "sinks[1].to must hold non-empty strings"},
    };
    for (const auto& c : cases)
    {
        INFO(c.input);
        auto p = parse(c.input);
        CHECK_FALSE(p.ok.has_value());
        REQUIRE(p.error.has_value());
        CHECK(p.error->status == 400);
        CHECK(p.error->code == "invalid_alerts");
        INFO("message: " << p.error->message);
        CHECK(p.error->message.rfind(c.prefix, 0) == 0);
    }
}

TEST_CASE("a secret sent back masked or left out keeps the previous one of the same sink", "[alerts][config]")
{
    const auto previous = parse_ok(full_config);

    SECTION("masked")
    {
        const auto text = fmt::format(
            R"({{"sinks": [
                {{"id": "hook", "kind": "webhook", "url": "https://example.org/hook2",
                  "headers": {{"Authorization": "{}", "X-Other": "new-other-value"}}}},
                {{"id": "slack", "kind": "slack", "url": "{}"}},
                {{"id": "tg", "kind": "telegram", "botToken": "{}", "chatId": "-100999"}},
                {{"id": "ntfy", "kind": "ntfy", "url": "https://ntfy.sh/other", "token": "{}"}},
                {{"id": "mail", "kind": "smtp", "host": "mx2", "password": "{}", "from": "a@x", "to": ["b@x"]}}
            ]}})",
            masked(header_secret),
            masked(slack_secret),
            masked(bot_secret),
            masked(ntfy_secret),
            masked(smtp_secret)
        );
        auto c = parse_ok(text, &previous);
        REQUIRE(c.sinks.size() == 5);
        CHECK(c.sinks[0].url == "https://example.org/hook2");
        REQUIRE(c.sinks[0].headers.size() == 2);
        CHECK(c.sinks[0].headers[0].second == header_secret);
        CHECK(c.sinks[0].headers[1].second == "new-other-value");
        CHECK(c.sinks[1].url == slack_secret);
        CHECK(c.sinks[2].bot_token == bot_secret);
        CHECK(c.sinks[2].chat_id == "-100999");
        CHECK(c.sinks[3].token == ntfy_secret);
        CHECK(c.sinks[3].url == "https://ntfy.sh/other");
        CHECK(c.sinks[4].password == smtp_secret);
        CHECK(c.sinks[4].host == "mx2");
    }
    SECTION("left out")
    {
        auto c = parse_ok(
            R"({"sinks": [
                {"id": "slack", "kind": "slack"},
                {"id": "tg", "kind": "telegram", "chatId": "-100999"},
                {"id": "ntfy", "kind": "ntfy", "url": "https://ntfy.sh/other"},
                {"id": "mail", "kind": "smtp", "host": "mx2", "from": "a@x", "to": ["b@x"]}
            ]})",
            &previous
        );
        REQUIRE(c.sinks.size() == 4);
        CHECK(c.sinks[0].url == slack_secret);
        CHECK(c.sinks[1].bot_token == bot_secret);
        CHECK(c.sinks[2].token == ntfy_secret);
        CHECK(c.sinks[3].password == smtp_secret);
    }
    SECTION("a new value replaces it; an empty one clears an optional secret")
    {
        auto c = parse_ok(
            R"({"sinks": [
                {"id": "hook", "kind": "webhook", "url": "https://example.org/hook", "headers": {"Authorization": "Bearer new"}},
                {"id": "slack", "kind": "slack", "url": "https://hooks.slack.com/services/new"},
                {"id": "tg", "kind": "telegram", "botToken": "999:new", "chatId": "1"},
                {"id": "ntfy", "kind": "ntfy", "url": "https://ntfy.sh/t", "token": ""},
                {"id": "mail", "kind": "smtp", "host": "mx", "password": "", "from": "a@x", "to": ["b@x"]}
            ]})",
            &previous
        );
        CHECK(c.sinks[0].headers[0].second == "Bearer new");
        CHECK(c.sinks[1].url == "https://hooks.slack.com/services/new");
        CHECK(c.sinks[2].bot_token == "999:new");
        CHECK(c.sinks[3].token.empty());
        CHECK(c.sinks[4].password.empty());
    }
    SECTION("a masked header value is kept only under the same header name")
    {
        const auto text = fmt::format(
            R"({{"sinks": [{{"id": "hook", "kind": "webhook", "url": "https://example.org/hook",
                 "headers": {{"X-Renamed": "{}"}}}}]}})",
            masked(header_secret)
        );
        auto c = parse_ok(text, &previous);
        REQUIRE(c.sinks[0].headers.size() == 1);
        CHECK(c.sinks[0].headers[0].second == masked(header_secret));
    }
    SECTION("not for another sink id")
    {
        const auto text = fmt::format(
            R"({{"sinks": [
                {{"id": "slack2", "kind": "slack", "url": "https://hooks.slack.com/services/other"}},
                {{"id": "tg2", "kind": "telegram", "botToken": "{}", "chatId": "1"}},
                {{"id": "ntfy2", "kind": "ntfy", "url": "https://ntfy.sh/t"}},
                {{"id": "mail2", "kind": "smtp", "host": "mx", "password": "{}", "from": "a@x", "to": ["b@x"]}},
                {{"id": "hook2", "kind": "webhook", "url": "https://example.org/hook", "headers": {{"Authorization": "{}"}}}}
            ]}})",
            masked(bot_secret),
            masked(smtp_secret),
            masked(header_secret)
        );
        auto c = parse_ok(text, &previous);
        CHECK(c.sinks[1].bot_token == masked(bot_secret));
        CHECK(c.sinks[2].token.empty());
        CHECK(c.sinks[3].password == masked(smtp_secret));
        CHECK(c.sinks[4].headers[0].second == masked(header_secret));
        // and a left-out required secret is missing, not borrowed
        auto p = parse(R"({"sinks": [{"id": "slack2", "kind": "slack"}]})", &previous);
        REQUIRE(p.error.has_value());
        CHECK(p.error->message == "sinks[0].url is required");
    }
    SECTION("not for another kind under the same id")
    {
        // "tg" was a telegram sink, "mail" an smtp one, "ntfy" an ntfy one.
        const auto text = fmt::format(
            R"({{"sinks": [
                {{"id": "tg", "kind": "ntfy", "url": "https://ntfy.sh/t", "token": "{}"}},
                {{"id": "mail", "kind": "ntfy", "url": "https://ntfy.sh/t"}},
                {{"id": "ntfy", "kind": "smtp", "host": "mx", "password": "{}", "from": "a@x", "to": ["b@x"]}},
                {{"id": "slack", "kind": "webhook", "url": "https://example.org/hook"}},
                {{"id": "hook", "kind": "slack", "url": "https://hooks.slack.com/services/x"}}
            ]}})",
            masked(bot_secret),
            masked(ntfy_secret)
        );
        auto c = parse_ok(text, &previous);
        CHECK(c.sinks[0].token == masked(bot_secret));
        CHECK(c.sinks[1].token.empty());
        CHECK(c.sinks[2].password == masked(ntfy_secret));
        CHECK(c.sinks[3].headers.empty());
        // a masked form of the other kind's secret under the same name is not taken either:
        // telegram -> telegram under a new id vs. ntfy -> telegram under the old id
        const auto text2 = fmt::format(
            R"({{"sinks": [{{"id": "ntfy", "kind": "telegram", "botToken": "{}", "chatId": "1"}}]}})",
            masked(ntfy_secret)
        );
        auto c2 = parse_ok(text2, &previous);
        CHECK(c2.sinks[0].bot_token == masked(ntfy_secret));
        auto p = parse(R"({"sinks": [{"id": "ntfy", "kind": "telegram", "chatId": "1"}]})", &previous);
        REQUIRE(p.error.has_value());
        CHECK(p.error->message == "sinks[0].botToken is required");
    }
    SECTION("without a previous configuration a masked form is taken as given")
    {
        const auto text = fmt::format(
            R"({{"sinks": [{{"id": "tg", "kind": "telegram", "botToken": "{}", "chatId": "1"}}]}})",
            masked(bot_secret)
        );
        CHECK(parse_ok(text).sinks[0].bot_token == masked(bot_secret));
    }
}

TEST_CASE("the stored form seals every secret and opens to the same configuration", "[alerts][config]")
{
    const auto c = parse_ok(full_config);
    const auto box = random_box();
    const auto stored = serialize_stored_alerts(c, box);
    INFO(stored);
    for (auto secret : {header_secret, slack_secret, bot_secret, ntfy_secret, smtp_secret})
        CHECK(stored.find(secret) == std::string::npos);
    CHECK(stored.find("other-header-value-0123") == std::string::npos);
    CHECK(stored.find("enc:v1:") != std::string::npos);

    // Non-secret members are stored readable.
    CHECK(stored.find("https://example.org/hook") != std::string::npos);
    CHECK(stored.find("https://ntfy.sh/my-cpa") != std::string::npos);
    CHECK(stored.find("smtp.example.org") != std::string::npos);

    // Every secret member holds a sealed value.
    auto v = json::parse(stored);
    const auto& sinks = v.at("sinks").as_array();
    auto sealed = [](const json::value& s) { return security::is_encrypted(s.as_string()); };
    CHECK(sealed(sinks[0].at("headers").at("Authorization")));
    CHECK(sealed(sinks[0].at("headers").at("X-Other")));
    CHECK(sealed(sinks[1].at("url")));
    CHECK(sealed(sinks[2].at("botToken")));
    CHECK(sealed(sinks[3].at("token")));
    CHECK(sealed(sinks[4].at("password")));
    CHECK(sinks[3].at("url") == "https://ntfy.sh/my-cpa");

    auto opened = open_stored_alerts(stored, box);
    INFO((opened.error ? opened.error->message : std::string()));
    REQUIRE(opened.ok.has_value());
    check_same(*opened.ok, c);

    // Sealed with fresh nonces: storing again gives other bytes, opening gives the same config.
    const auto again = serialize_stored_alerts(*opened.ok, box);
    CHECK(again != stored);
    auto reopened = open_stored_alerts(again, box);
    REQUIRE(reopened.ok.has_value());
    check_same(*reopened.ok, c);

    // Empty optional secrets stay empty.
    auto plain = parse_ok(R"({"sinks": [{"id": "n", "kind": "ntfy", "url": "https://ntfy.sh/t"}]})");
    auto plain_opened = open_stored_alerts(serialize_stored_alerts(plain, box), box);
    REQUIRE(plain_opened.ok.has_value());
    CHECK(plain_opened.ok->sinks[0].token.empty());

    // The default configuration round-trips too.
    auto defaults = open_stored_alerts(serialize_stored_alerts(alerts_config{}, box), box);
    REQUIRE(defaults.ok.has_value());
    check_same(*defaults.ok, alerts_config{});
}

TEST_CASE("a stored form opened with another key is unreadable", "[alerts][config]")
{
    const auto c = parse_ok(full_config);
    const auto stored = serialize_stored_alerts(c, random_box());
    auto opened = open_stored_alerts(stored, random_box());
    CHECK_FALSE(opened.ok.has_value());
    REQUIRE(opened.error.has_value());
    CHECK(opened.error->status == 500);
    CHECK(opened.error->code == "alerts_unreadable");
    CHECK(opened.error->message == security::decrypt_failed_message);
    for (auto secret : {header_secret, slack_secret, bot_secret, ntfy_secret, smtp_secret})
        CHECK(opened.error->message.find(secret) == std::string::npos);

    // Damaged JSON, and stored settings that no longer validate, are unreadable as well.
    const auto box = random_box();
    auto broken = open_stored_alerts("{not json", box);
    REQUIRE(broken.error.has_value());
    CHECK(broken.error->status == 500);
    CHECK(broken.error->code == "alerts_unreadable");
    auto invalid = open_stored_alerts(R"({"evaluateSeconds": 0})", box);
    REQUIRE(invalid.error.has_value());
    CHECK(invalid.error->status == 500);
    CHECK(invalid.error->code == "alerts_unreadable");
    CHECK(invalid.error->message.find("evaluateSeconds") != std::string::npos);
}

TEST_CASE("the answered form masks every secret and shows the rest", "[alerts][config]")
{
    const auto c = parse_ok(full_config);
    const auto o = public_alerts(c);
    const auto text = json::serialize(o);
    INFO(text);
    for (auto secret : {header_secret, slack_secret, bot_secret, ntfy_secret, smtp_secret})
        CHECK(text.find(secret) == std::string::npos);
    CHECK(text.find("enc:v1:") == std::string::npos);

    const auto& sinks = o.at("sinks").as_array();
    REQUIRE(sinks.size() == 5);
    const auto& hook = sinks[0].as_object();
    CHECK(hook.at("kind") == "webhook");
    CHECK(hook.at("name") == "Hook");
    CHECK(hook.at("url") == "https://example.org/hook");
    CHECK(text_of(hook.at("headers").at("Authorization")) == masked(header_secret));
    CHECK(text_of(hook.at("headers").at("X-Other")) == masked("other-header-value-0123"));
    CHECK(text_of(sinks[1].at("url")) == masked(slack_secret));
    CHECK(text_of(sinks[2].at("botToken")) == masked(bot_secret));
    CHECK(sinks[2].at("chatId") == "-100123");
    CHECK(sinks[2].at("apiBase") == "https://api.telegram.org");
    CHECK(sinks[3].at("url") == "https://ntfy.sh/my-cpa");
    CHECK(text_of(sinks[3].at("token")) == masked(ntfy_secret));
    CHECK(sinks[3].at("enabled") == false);
    const auto& mail = sinks[4].as_object();
    CHECK(mail.at("host") == "smtp.example.org");
    CHECK(mail.at("port") == 465);
    CHECK(mail.at("security") == "tls");
    CHECK(mail.at("username") == "cpamd");
    CHECK(text_of(mail.at("password")) == masked(smtp_secret));
    CHECK(mail.at("from") == "cpamd@example.org");
    CHECK(mail.at("to") == json::array{"ops@example.org", "dev@example.org"});

    CHECK(o.at("enabled") == false);
    CHECK(o.at("evaluateSeconds") == 45);
    CHECK(o.at("timezone") == "Europe/Berlin");
    CHECK(o.at("delivery").at("timeoutSeconds") == 20);
    CHECK(o.at("delivery").at("retries") == 5);
    const auto& rules = o.at("rules").as_array();
    REQUIRE(rules.size() == 7);
    CHECK(rules[0].at("kind") == "failure_rate");
    CHECK(rules[0].at("credential") == "abcd");
    CHECK(rules[0].at("sinks") == json::array{"hook", "mail"});
    CHECK(rules[6].at("usd") == 123.5);
    CHECK(rules[6].at("match") == "Team Alpha");

    // What was answered, sent back as is, is the same configuration.
    auto back = parse_ok(text, &c);
    check_same(back, c);
}

// A secret the user typed is stored sealed whatever it looks like: one that already starts with
// "enc:v1:" must not be left in plaintext (it would then fail to open, and with it the whole
// stored configuration).
TEST_CASE("a secret that looks sealed is still sealed and opens again", "[alerts][config]")
{
    const auto c = parse_ok(R"({"sinks": [{"id": "hook", "kind": "webhook", "url": "https://example.org/hook",
        "headers": {"X-Token": "enc:v1:not-really:sealed"}}]})");
    const auto box = random_box();
    const auto stored = serialize_stored_alerts(c, box);
    CHECK(stored.find("enc:v1:not-really:sealed") == std::string::npos);
    auto opened = open_stored_alerts(stored, box);
    INFO((opened.error ? opened.error->message : std::string()));
    REQUIRE(opened.ok.has_value());
    check_same(*opened.ok, c);
}

// The sealed form keeps no outer spaces (secret_box trims), so parsing trims too: the daemon uses
// the same secret before and after a restart.
TEST_CASE("a secret with surrounding spaces opens as it was parsed", "[alerts][config]")
{
    const auto c =
        parse_ok(R"({"sinks": [{"id": "mail", "kind": "smtp", "host": "mx", "password": " pass word ",
        "from": "a@x", "to": ["b@x"]}]})");
    REQUIRE(c.sinks[0].password == "pass word");
    const auto box = random_box();
    auto opened = open_stored_alerts(serialize_stored_alerts(c, box), box);
    REQUIRE(opened.ok.has_value());
    CHECK(opened.ok->sinks[0].password == c.sinks[0].password);
}
