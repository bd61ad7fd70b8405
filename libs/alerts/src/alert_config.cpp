#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value_from.hpp>
#include <cmath>
#include <cpamd/alerts/alert_config.hpp>
#include <cpamd/analytics/local_time.hpp>
#include <cpamd/proxy/url_fetch.hpp>
#include <cpamd/security/mask.hpp>
#include <cpamd/security/text.hpp>
#include <fmt/format.h>
#include <set>

namespace cpamd::alerts
{
namespace
{

namespace json = boost::json;

constexpr std::size_t max_rules = 200;
constexpr std::size_t max_sinks = 50;

// Reads the members of one JSON object; the first problem is kept, named by its path
// ("rules[2].threshold must be a number in (0, 1]").
class fields
{
public:
    fields(const json::object& o, std::string path, std::optional<std::string>& error)
        : o_(o), path_(std::move(path)), error_(error)
    {
    }

    void fail(std::string_view name, std::string_view want)
    {
        if (!error_)
            error_ = fmt::format("{}{} {}", path_, name, want);
    }

    const json::value* find(std::string_view name) const
    {
        auto it = o_.find(name);
        return it == o_.end() || it->value().is_null() ? nullptr : &it->value();
    }

    void text(std::string_view name, std::string& out, std::size_t max = 2048)
    {
        if (auto v = find(name))
        {
            if (!v->is_string() || v->as_string().size() > max)
                return fail(name, fmt::format("must be a string of at most {} bytes", max));
            out = std::string(v->as_string());
        }
    }

    void flag(std::string_view name, bool& out)
    {
        if (auto v = find(name))
        {
            if (!v->is_bool())
                return fail(name, "must be true or false");
            out = v->as_bool();
        }
    }

    void number(std::string_view name, double& out, double lo, double hi, bool lo_open = false)
    {
        auto v = find(name);
        if (!v)
            return;
        if (!v->is_number())
            return fail(name, "must be a number");
        const double d = v->to_number<double>();
        if (!(d <= hi) || d < lo || (lo_open && d == lo))
            return fail(name, fmt::format("must be a number in {}{}, {}]", lo_open ? "(" : "[", lo, hi));
        out = d;
    }

    void integer(std::string_view name, int& out, int lo, int hi)
    {
        auto v = find(name);
        if (!v)
            return;
        std::int64_t i = 0;
        if (v->is_int64())
            i = v->as_int64();
        else if (v->is_uint64() && v->as_uint64() <= INT32_MAX)
            i = static_cast<std::int64_t>(v->as_uint64());
        else if (v->is_double() && std::abs(v->as_double()) < 2e9 && std::trunc(v->as_double()) == v->as_double())
            i = static_cast<std::int64_t>(v->as_double()); // checked first: a cast of 1e300 is undefined
        else
            return fail(name, "must be an integer");
        if (i < lo || i > hi)
            return fail(name, fmt::format("must be an integer from {} to {}", lo, hi));
        out = static_cast<int>(i);
    }

    void one_of(std::string_view name, std::string& out, std::initializer_list<std::string_view> allowed)
    {
        std::string v = out;
        text(name, v, 64);
        if (std::find(allowed.begin(), allowed.end(), v) == allowed.end())
        {
            std::string list;
            for (auto a : allowed)
                list += (list.empty() ? "" : ", ") + std::string(a);
            return fail(name, "must be one of " + list);
        }
        out = v;
    }

    void texts(std::string_view name, std::vector<std::string>& out, std::size_t max_items)
    {
        auto v = find(name);
        if (!v)
            return;
        if (!v->is_array() || v->as_array().size() > max_items)
            return fail(name, fmt::format("must be an array of at most {} strings", max_items));
        out.clear();
        for (const auto& e : v->as_array())
        {
            if (!e.is_string() || e.as_string().empty() || e.as_string().size() > 320)
                return fail(name, "must hold non-empty strings");
            out.emplace_back(e.as_string());
        }
    }

    const std::string& path() const { return path_; }

private:
    const json::object& o_;
    std::string path_;
    std::optional<std::string>& error_;
};

bool valid_id(std::string_view id)
{
    return !id.empty() && id.size() <= 64 &&
           std::all_of(
               id.begin(),
               id.end(),
               [](char c)
               { return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.'; }
           );
}

const std::pair<rule_kind, std::string_view> rule_kinds[] = {
    {rule_kind::failure_rate, "failure_rate"},
    {rule_kind::consecutive_failures, "consecutive_failures"},
    {rule_kind::latency_p95, "latency_p95"},
    {rule_kind::no_events, "no_events"},
    {rule_kind::collector_disconnected, "collector_disconnected"},
    {rule_kind::storage_size, "storage_size"},
    {rule_kind::budget, "budget"},
};
const std::pair<sink_kind, std::string_view> sink_kinds[] = {
    {sink_kind::webhook, "webhook"},
    {sink_kind::slack, "slack"},
    {sink_kind::telegram, "telegram"},
    {sink_kind::ntfy, "ntfy"},
    {sink_kind::smtp, "smtp"},
};

template <class Kind, std::size_t N>
std::optional<Kind> kind_of(const std::pair<Kind, std::string_view> (&table)[N], std::string_view name)
{
    for (const auto& [k, n] : table)
        if (n == name)
            return k;
    return std::nullopt;
}

template <class Kind, std::size_t N>
std::string kind_list(const std::pair<Kind, std::string_view> (&table)[N])
{
    std::string out;
    for (const auto& [k, n] : table)
        out += (out.empty() ? "" : ", ") + std::string(n);
    return out;
}

void parse_rule(fields& f, rule& r)
{
    f.text("id", r.id, 64);
    if (!valid_id(r.id))
        f.fail("id", "must be 1-64 letters, digits, '-', '_' or '.'");
    f.text("name", r.name, 200);
    std::string kind;
    f.text("kind", kind, 64);
    auto k = kind_of(rule_kinds, kind);
    if (!k)
        return f.fail("kind", "must be one of " + kind_list(rule_kinds));
    r.kind = *k;
    f.flag("enabled", r.enabled);
    f.number("cooldownMinutes", r.cooldown_minutes, 0, 10080);
    f.texts("sinks", r.sinks, max_sinks);
    switch (r.kind)
    {
    case rule_kind::failure_rate:
        f.one_of("scope", r.scope, {"all", "credential"});
        f.text("credential", r.match, 256);
        r.threshold = 0.2;
        f.number("threshold", r.threshold, 0, 1, true);
        f.integer("windowMinutes", r.window_minutes, 1, 1440);
        f.integer("minRequests", r.min_requests, 1, 1'000'000);
        break;
    case rule_kind::consecutive_failures:
        r.statuses = {401, 403};
        if (auto v = f.find("statuses"))
        {
            if (!v->is_array() || v->as_array().empty() || v->as_array().size() > 20)
                return f.fail("statuses", "must be an array of 1-20 HTTP statuses");
            r.statuses.clear();
            for (const auto& s : v->as_array())
            {
                if (!s.is_int64() || s.as_int64() < 100 || s.as_int64() > 599)
                    return f.fail("statuses", "must hold HTTP statuses (100-599)");
                r.statuses.push_back(static_cast<int>(s.as_int64()));
            }
        }
        f.integer("count", r.count, 1, 100);
        f.text("credential", r.match, 256);
        break;
    case rule_kind::latency_p95:
        f.text("model", r.match, 256);
        if (!f.find("thresholdMs"))
            f.fail("thresholdMs", "is required");
        f.number("thresholdMs", r.threshold, 1, 86'400'000);
        f.integer("windowMinutes", r.window_minutes, 1, 1440);
        f.integer("minRequests", r.min_requests, 1, 1'000'000);
        break;
    case rule_kind::no_events:
    case rule_kind::collector_disconnected:
        r.minutes = r.kind == rule_kind::no_events ? 30 : 5;
        f.number("minutes", r.minutes, 0.05, 10080);
        break;
    case rule_kind::storage_size:
        f.one_of("file", r.file, {"database", "wal"});
        if (!f.find("thresholdMb"))
            f.fail("thresholdMb", "is required");
        f.number("thresholdMb", r.threshold, 0, 16 * 1024 * 1024, true);
        break;
    case rule_kind::budget:
        f.one_of("period", r.period, {"day", "week", "month"});
        f.one_of("scope", r.scope, {"all", "api_key", "model"});
        f.text("match", r.match, 256);
        if (r.scope == "all" && !r.match.empty())
            f.fail("match", "must be empty when scope is all");
        if (!f.find("usd"))
            f.fail("usd", "is required");
        f.number("usd", r.threshold, 0, 1e9, true);
        f.integer("warnPercent", r.warn_percent, 1, 99);
        break;
    }
}

// A secret member: the submitted value, or the previous one when the client sent back what it
// was shown (the masked form) or nothing.
void secret(fields& f, std::string_view name, std::string& out, const std::string* previous)
{
    std::string v;
    const bool given = f.find(name) != nullptr;
    f.text(name, v, 4096);
    v = std::string(security::trim_space(v)); // the sealed form keeps no outer spaces either
    if (previous && (!given || security::is_masked_form(*previous, v)))
        out = *previous;
    else
        out = v;
}

void require(fields& f, std::string_view name, const std::string& v)
{
    if (v.empty())
        f.fail(name, "is required");
}

void require_url(fields& f, std::string_view name, const std::string& v)
{
    require(f, name, v);
    if (!v.empty() && !proxy::parse_http_url(v))
        f.fail(name, "must be an http:// or https:// URL");
}

void parse_sink(fields& f, sink& s, const sink* prev)
{
    f.text("name", s.name, 200);
    f.flag("enabled", s.enabled);
    switch (s.kind)
    {
    case sink_kind::webhook:
        f.text("url", s.url);
        require_url(f, "url", s.url);
        if (auto v = f.find("headers"))
        {
            if (!v->is_object() || v->as_object().size() > 20)
                return f.fail("headers", "must be an object of at most 20 string values");
            for (const auto& kv : v->as_object())
            {
                const std::string name(kv.key());
                const bool token =
                    !name.empty() &&
                    std::all_of(
                        name.begin(),
                        name.end(),
                        [](char c)
                        { return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_'; }
                    );
                if (!token || !kv.value().is_string() ||
                    kv.value().as_string().find_first_of("\r\n") != json::string::npos)
                    return f.fail("headers", "must map header names to single-line strings");
                std::string value(security::trim_space(kv.value().as_string()));
                if (prev)
                    for (const auto& [pn, pv] : prev->headers)
                        if (pn == name && security::is_masked_form(pv, value))
                            value = pv;
                s.headers.emplace_back(name, std::move(value));
            }
        }
        break;
    case sink_kind::slack:
        secret(f, "url", s.url, prev ? &prev->url : nullptr);
        require_url(f, "url", s.url);
        break;
    case sink_kind::telegram:
        secret(f, "botToken", s.bot_token, prev ? &prev->bot_token : nullptr);
        require(f, "botToken", s.bot_token);
        f.text("chatId", s.chat_id, 128);
        require(f, "chatId", s.chat_id);
        f.text("apiBase", s.api_base);
        require_url(f, "apiBase", s.api_base);
        break;
    case sink_kind::ntfy:
        f.text("url", s.url);
        require_url(f, "url", s.url);
        secret(f, "token", s.token, prev ? &prev->token : nullptr);
        break;
    case sink_kind::smtp:
        f.text("host", s.host, 253);
        require(f, "host", s.host);
        s.port = 587;
        f.integer("port", s.port, 1, 65535);
        f.one_of("security", s.security, {"starttls", "tls", "none"});
        f.text("username", s.username, 320);
        secret(f, "password", s.password, prev ? &prev->password : nullptr);
        f.text("from", s.from, 320);
        require(f, "from", s.from);
        f.texts("to", s.to, 20);
        if (s.to.empty())
            f.fail("to", "must name at least one recipient");
        for (const auto& a : s.to)
            if (a.find_first_of("\r\n<>") != std::string::npos)
                f.fail("to", "must hold plain addresses");
        if (s.from.find_first_of("\r\n<>") != std::string::npos)
            f.fail("from", "must be a plain address");
        break;
    }
}

api_error invalid(std::string message)
{
    return api_error{400, "invalid_alerts", std::move(message)};
}

} // namespace

std::string_view to_string(rule_kind k)
{
    for (const auto& [kind, name] : rule_kinds)
        if (kind == k)
            return name;
    return "";
}

std::string_view to_string(sink_kind k)
{
    for (const auto& [kind, name] : sink_kinds)
        if (kind == k)
            return name;
    return "";
}

const sink* alerts_config::find_sink(std::string_view id) const
{
    for (const auto& s : sinks)
        if (s.id == id)
            return &s;
    return nullptr;
}

parsed_alerts parse_alerts(const json::value& v, const alerts_config* previous)
{
    if (!v.is_object())
        return {std::nullopt, invalid("alerts must be an object")};
    std::optional<std::string> error;
    alerts_config c;
    fields top(v.as_object(), "", error);
    top.flag("enabled", c.enabled);
    top.integer("evaluateSeconds", c.evaluate_seconds, 1, 3600);
    top.text("timezone", c.timezone, 64);
    if (!error && !analytics::find_zone(c.timezone))
        top.fail("timezone", "must be an IANA time zone name such as Europe/Berlin");
    if (auto d = top.find("delivery"))
    {
        if (!d->is_object())
            top.fail("delivery", "must be an object");
        else
        {
            fields f(d->as_object(), "delivery.", error);
            f.integer("timeoutSeconds", c.timeout_seconds, 1, 120);
            f.integer("retries", c.retries, 0, 10);
        }
    }

    std::set<std::string> ids;
    if (auto list = top.find("sinks"))
    {
        if (!list->is_array() || list->as_array().size() > max_sinks)
            top.fail("sinks", fmt::format("must be an array of at most {} sinks", max_sinks));
        else
            for (std::size_t i = 0; i < list->as_array().size() && !error; ++i)
            {
                const auto& e = list->as_array()[i];
                const auto path = fmt::format("sinks[{}].", i);
                if (!e.is_object())
                {
                    error = path.substr(0, path.size() - 1) + " must be an object";
                    break;
                }
                fields f(e.as_object(), path, error);
                sink s;
                f.text("id", s.id, 64);
                if (!valid_id(s.id))
                    f.fail("id", "must be 1-64 letters, digits, '-', '_' or '.'");
                else if (!ids.insert(s.id).second)
                    f.fail("id", "is used by another sink");
                std::string kind;
                f.text("kind", kind, 64);
                auto k = kind_of(sink_kinds, kind);
                if (!k)
                {
                    f.fail("kind", "must be one of " + kind_list(sink_kinds));
                    break;
                }
                s.kind = *k;
                const sink* prev = previous ? previous->find_sink(s.id) : nullptr;
                if (prev && prev->kind != s.kind)
                    prev = nullptr;
                parse_sink(f, s, prev);
                c.sinks.push_back(std::move(s));
            }
    }

    std::set<std::string> rule_ids;
    if (auto list = top.find("rules"))
    {
        if (!list->is_array() || list->as_array().size() > max_rules)
            top.fail("rules", fmt::format("must be an array of at most {} rules", max_rules));
        else
            for (std::size_t i = 0; i < list->as_array().size() && !error; ++i)
            {
                const auto& e = list->as_array()[i];
                const auto path = fmt::format("rules[{}].", i);
                if (!e.is_object())
                {
                    error = path.substr(0, path.size() - 1) + " must be an object";
                    break;
                }
                fields f(e.as_object(), path, error);
                rule r;
                parse_rule(f, r);
                if (!error && !rule_ids.insert(r.id).second)
                    f.fail("id", "is used by another rule");
                for (const auto& s : r.sinks)
                    if (!error && !c.find_sink(s))
                        f.fail("sinks", fmt::format("names {}, which is not a sink", s));
                c.rules.push_back(std::move(r));
            }
    }
    if (error)
        return {std::nullopt, invalid(std::move(*error))};
    return {std::move(c), std::nullopt};
}

namespace
{

// The configuration as JSON, each secret passed through `secret`.
template <class Secret>
json::object to_json(const alerts_config& c, Secret secret)
{
    json::object o;
    o["enabled"] = c.enabled;
    o["evaluateSeconds"] = c.evaluate_seconds;
    o["timezone"] = c.timezone;
    o["delivery"] = json::object{{"timeoutSeconds", c.timeout_seconds}, {"retries", c.retries}};
    json::array rules;
    for (const auto& r : c.rules)
    {
        json::object j;
        j["id"] = r.id;
        if (!r.name.empty())
            j["name"] = r.name;
        j["kind"] = to_string(r.kind);
        j["enabled"] = r.enabled;
        j["cooldownMinutes"] = r.cooldown_minutes;
        if (!r.sinks.empty())
            j["sinks"] = json::value_from(r.sinks);
        switch (r.kind)
        {
        case rule_kind::failure_rate:
            j["scope"] = r.scope;
            j["credential"] = r.match;
            j["threshold"] = r.threshold;
            j["windowMinutes"] = r.window_minutes;
            j["minRequests"] = r.min_requests;
            break;
        case rule_kind::consecutive_failures:
            j["statuses"] = json::value_from(r.statuses);
            j["count"] = r.count;
            j["credential"] = r.match;
            break;
        case rule_kind::latency_p95:
            j["model"] = r.match;
            j["thresholdMs"] = r.threshold;
            j["windowMinutes"] = r.window_minutes;
            j["minRequests"] = r.min_requests;
            break;
        case rule_kind::no_events:
        case rule_kind::collector_disconnected:
            j["minutes"] = r.minutes;
            break;
        case rule_kind::storage_size:
            j["file"] = r.file;
            j["thresholdMb"] = r.threshold;
            break;
        case rule_kind::budget:
            j["period"] = r.period;
            j["scope"] = r.scope;
            j["match"] = r.match;
            j["usd"] = r.threshold;
            j["warnPercent"] = r.warn_percent;
            break;
        }
        rules.push_back(std::move(j));
    }
    o["rules"] = std::move(rules);
    json::array sinks;
    for (const auto& s : c.sinks)
    {
        json::object j;
        j["id"] = s.id;
        if (!s.name.empty())
            j["name"] = s.name;
        j["kind"] = to_string(s.kind);
        j["enabled"] = s.enabled;
        switch (s.kind)
        {
        case sink_kind::webhook:
        {
            j["url"] = s.url;
            json::object h;
            for (const auto& [name, value] : s.headers)
                h[name] = secret(value);
            j["headers"] = std::move(h);
            break;
        }
        case sink_kind::slack:
            j["url"] = secret(s.url);
            break;
        case sink_kind::telegram:
            j["botToken"] = secret(s.bot_token);
            j["chatId"] = s.chat_id;
            j["apiBase"] = s.api_base;
            break;
        case sink_kind::ntfy:
            j["url"] = s.url;
            j["token"] = secret(s.token);
            break;
        case sink_kind::smtp:
            j["host"] = s.host;
            j["port"] = s.port;
            j["security"] = s.security;
            j["username"] = s.username;
            j["password"] = secret(s.password);
            j["from"] = s.from;
            j["to"] = json::value_from(s.to);
            break;
        }
        sinks.push_back(std::move(j));
    }
    o["sinks"] = std::move(sinks);
    return o;
}

} // namespace

std::string serialize_stored_alerts(const alerts_config& c, const security::secret_box& box)
{
    // Always sealed, even a value that looks sealed already ("enc:v1:..." typed as a secret).
    return json::serialize(to_json(c, [&](const std::string& v) { return v.empty() ? v : box.encrypt(v); }));
}

parsed_alerts open_stored_alerts(std::string_view stored, const security::secret_box& box)
{
    boost::system::error_code ec;
    auto v = json::parse(stored, ec);
    if (ec || !v.is_object())
        return {
            std::nullopt, api_error{500, "alerts_unreadable", "stored alerts settings are not valid JSON"}};
    // Open every secret in place, then parse as a submission (the same validation).
    std::optional<api_error> failure;
    auto open = [&](json::value& s)
    {
        if (!s.is_string() || failure)
            return;
        auto r = box.decrypt(std::string_view(s.as_string()));
        if (!r)
            failure = api_error{500, "alerts_unreadable", std::string(security::decrypt_failed_message)};
        else
            s = std::string_view(r->value.view());
    };
    if (auto* sinks = v.as_object().if_contains("sinks"); sinks && sinks->is_array())
        for (auto& s : sinks->as_array())
        {
            if (!s.is_object())
                continue;
            auto& o = s.as_object();
            for (const char* name : {"botToken", "token", "password"})
                if (auto* m = o.if_contains(name))
                    open(*m);
            if (o["kind"] == "slack")
                if (auto* m = o.if_contains("url"))
                    open(*m);
            if (auto* h = o.if_contains("headers"); h && h->is_object())
                for (auto& kv : h->as_object())
                    open(kv.value());
        }
    if (failure)
        return {std::nullopt, failure};
    auto parsed = parse_alerts(v, nullptr);
    if (parsed.error)
        parsed.error =
            api_error{500, "alerts_unreadable", "stored alerts settings: " + parsed.error->message};
    return parsed;
}

json::object public_alerts(const alerts_config& c)
{
    return to_json(c, [](const std::string& v) { return security::mask_secret(v); });
}

} // namespace cpamd::alerts
