#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cctype>
#include <cmath>
#include <cpamd/api/manager_config.hpp>
#include <cpamd/proxy/cpa_url.hpp>
#include <cpamd/security/mask.hpp>
#include <cpamd/security/text.hpp>

namespace cpamd::api
{
namespace
{

namespace json = boost::json;

api_error bad_field(std::string_view name, std::string_view want)
{
    return api_error{400, "request_failed", fmt::format("json: field {} must be {}", name, want)};
}

std::optional<api_error> get_string(const json::object& o, std::string_view key, std::string& out)
{
    auto it = o.find(key);
    if (it == o.end() || it->value().is_null())
        return std::nullopt;
    if (!it->value().is_string())
        return bad_field(key, "a string");
    out = std::string(it->value().as_string());
    return std::nullopt;
}

std::optional<api_error> get_int(const json::object& o, std::string_view key, int& out)
{
    auto it = o.find(key);
    if (it == o.end() || it->value().is_null())
        return std::nullopt;
    const auto& v = it->value();
    if (v.is_int64() && v.as_int64() >= INT32_MIN && v.as_int64() <= INT32_MAX)
        out = static_cast<int>(v.as_int64());
    else if (v.is_uint64() && v.as_uint64() <= INT32_MAX)
        out = static_cast<int>(v.as_uint64());
    else if (v.is_double() && std::trunc(v.as_double()) == v.as_double() && std::abs(v.as_double()) < 2e9)
        out = static_cast<int>(v.as_double());
    else
        return bad_field(key, "an integer");
    return std::nullopt;
}

std::optional<api_error> get_bool(const json::object& o, std::string_view key, std::optional<bool>& out)
{
    auto it = o.find(key);
    if (it == o.end() || it->value().is_null())
        return std::nullopt;
    if (!it->value().is_bool())
        return bad_field(key, "a boolean");
    out = it->value().as_bool();
    return std::nullopt;
}

const json::object* get_object(const json::object& o, std::string_view key, std::optional<api_error>& err)
{
    auto it = o.find(key);
    if (it == o.end() || it->value().is_null())
        return nullptr;
    if (!it->value().is_object())
    {
        err = bad_field(key, "an object");
        return nullptr;
    }
    return &it->value().as_object();
}

std::string lower_trim(std::string_view v)
{
    std::string s(security::trim_space(v));
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
}

int positive_or(int v, int fallback, int hard)
{
    return v > 0 ? v : fallback > 0 ? fallback : hard;
}

json::value default_codex_inspection()
{
    json::object schedule{{"mode", "interval"}, {"intervalMinutes", 60}};
    return json::object{{"enabled", false}, {"schedule", std::move(schedule)}};
}

std::optional<json::object> parse_object(const std::string& text)
{
    boost::system::error_code ec;
    auto v = json::parse(text, ec);
    if (ec || !v.is_object())
        return std::nullopt;
    return std::move(v.as_object());
}

// Decrypts a stored key; sets `undecryptable` instead of failing when tolerated.
std::optional<api_error>
open_key(const security::secret_box& box, std::string& key, bool tolerate, bool& undecryptable)
{
    if (key.empty())
        return std::nullopt;
    auto opened = box.decrypt(key);
    if (!opened)
    {
        key.clear();
        if (tolerate)
        {
            undecryptable = true;
            return std::nullopt;
        }
        return api_error{500, "request_failed", opened.error().message};
    }
    key = std::string(opened->value.view());
    return std::nullopt;
}

} // namespace

std::string normalize_pop_side(std::string_view v, std::string_view fallback)
{
    std::string s = lower_trim(v);
    if (s == "left" || s == "right")
        return s;
    return lower_trim(fallback) == "left" ? "left" : "right";
}

std::string normalize_collector_mode(std::string_view v)
{
    std::string s = lower_trim(v);
    if (s == "http" || s == "resp" || s == "subscribe")
        return s;
    return "auto";
}

std::optional<api_error> parse_submitted_config(const json::object& o, submitted_config& out)
{
    std::optional<api_error> err;
    if (const auto* conn = get_object(o, "cpaConnection", err))
    {
        if ((err = get_string(*conn, "cpaBaseUrl", out.cpa_base_url)))
            return err;
        if ((err = get_string(*conn, "managementKey", out.management_key)))
            return err;
    }
    if (err)
        return err;
    if (const auto* col = get_object(o, "collector", err))
    {
        std::optional<bool> tls;
        if ((err = get_bool(*col, "enabled", out.enabled)) ||
            (err = get_string(*col, "collectorMode", out.mode)) ||
            (err = get_string(*col, "queue", out.queue)) ||
            (err = get_string(*col, "popSide", out.pop_side)) ||
            (err = get_int(*col, "batchSize", out.batch_size)) ||
            (err = get_int(*col, "pollIntervalMs", out.poll_interval_ms)) ||
            (err = get_int(*col, "queryLimit", out.query_limit)) ||
            (err = get_bool(*col, "tlsSkipVerify", tls)))
            return err;
        out.tls_skip_verify = tls.value_or(false);
    }
    if (err)
        return err;
    if (auto it = o.find("codexInspection"); it != o.end() && !it->value().is_null())
    {
        if (!it->value().is_object())
            return bad_field("codexInspection", "an object");
        out.codex_inspection = it->value();
    }
    if (auto it = o.find("updatedAtMs"); it != o.end() && it->value().is_int64())
        out.updated_at_ms = it->value().as_int64();
    return std::nullopt;
}

manager_config default_manager_config(const config& cfg)
{
    manager_config c;
    c.collector.mode = normalize_collector_mode(to_string(cfg.collector));
    c.collector.queue = cfg.queue.empty() ? "usage" : cfg.queue;
    c.collector.pop_side = normalize_pop_side(to_string(cfg.side), "right");
    c.collector.batch_size = positive_or(cfg.batch_size, 100, 100);
    c.collector.poll_interval_ms = positive_or(cfg.poll_interval_ms, 500, 500);
    c.collector.query_limit = positive_or(cfg.query_limit, 50000, 50000);
    c.collector.tls_skip_verify = cfg.tls_skip_verify;
    c.codex_inspection = default_codex_inspection();
    return c;
}

manager_config merge_config(manager_config next, const submitted_config& s)
{
    if (!security::trim_space(s.cpa_base_url).empty())
        next.cpa_base_url = proxy::normalize_base_url(s.cpa_base_url);
    if (auto key = security::trim_space(s.management_key); !key.empty())
        next.management_key = std::string(key);
    if (s.enabled)
        next.collector.enabled = *s.enabled;
    if (!security::trim_space(s.mode).empty())
        next.collector.mode = normalize_collector_mode(s.mode);
    if (!security::trim_space(s.queue).empty())
        next.collector.queue = std::string(security::trim_space(s.queue));
    next.collector.pop_side = normalize_pop_side(s.pop_side, next.collector.pop_side);
    next.collector.batch_size = positive_or(s.batch_size, next.collector.batch_size, 100);
    next.collector.poll_interval_ms = positive_or(s.poll_interval_ms, next.collector.poll_interval_ms, 500);
    next.collector.query_limit = positive_or(s.query_limit, next.collector.query_limit, 50000);
    next.collector.tls_skip_verify = s.tls_skip_verify;
    if (s.codex_inspection)
        next.codex_inspection = *s.codex_inspection;
    return next;
}

bool connection_differs(const manager_config& a, const manager_config& b)
{
    return a.cpa_base_url != b.cpa_base_url || a.management_key != b.management_key ||
           a.collector.enabled != b.collector.enabled || a.collector.mode != b.collector.mode ||
           a.collector.queue != b.collector.queue || a.collector.pop_side != b.collector.pop_side ||
           a.collector.batch_size != b.collector.batch_size ||
           a.collector.poll_interval_ms != b.collector.poll_interval_ms ||
           a.collector.tls_skip_verify != b.collector.tls_skip_verify;
}

namespace
{

json::object collector_json(const collector_settings& c)
{
    json::object o;
    o["enabled"] = c.enabled;
    o["collectorMode"] = c.mode;
    o["queue"] = c.queue;
    o["popSide"] = c.pop_side;
    o["batchSize"] = c.batch_size;
    o["pollIntervalMs"] = c.poll_interval_ms;
    o["queryLimit"] = c.query_limit;
    if (c.tls_skip_verify)
        o["tlsSkipVerify"] = true;
    return o;
}

json::object config_json(const manager_config& c, std::string key_shown)
{
    json::object conn;
    if (!c.cpa_base_url.empty())
        conn["cpaBaseUrl"] = c.cpa_base_url;
    if (!key_shown.empty())
        conn["managementKey"] = std::move(key_shown);
    json::object o;
    o["cpaConnection"] = std::move(conn);
    o["collector"] = collector_json(c.collector);
    o["codexInspection"] = c.codex_inspection.is_object() ? c.codex_inspection : default_codex_inspection();
    o["externalUsageService"] = json::object{{"enabled", false}};
    if (c.updated_at_ms > 0)
        o["updatedAtMs"] = c.updated_at_ms;
    return o;
}

} // namespace

std::string serialize_stored_config(const manager_config& c, const security::secret_box& box)
{
    return json::serialize(config_json(c, box.encrypt_if_needed(c.management_key)));
}

std::string serialize_setup_row(const manager_config& c, const security::secret_box& box)
{
    json::object o;
    o["cpaBaseUrl"] = c.cpa_base_url;
    o["managementKey"] = box.encrypt_if_needed(c.management_key);
    o["queue"] = c.collector.queue;
    o["popSide"] = c.collector.pop_side;
    return json::serialize(o);
}

json::object public_config(const manager_config& c)
{
    return config_json(c, security::mask_secret(c.management_key));
}

resolve_outcome resolve_manager_config(
    const config& cfg,
    const std::optional<std::string>& stored_config,
    const std::optional<std::string>& stored_setup,
    const security::secret_box& box,
    bool tolerate_undecryptable
)
{
    resolved_config r;
    r.value = default_manager_config(cfg);
    if (stored_config)
    {
        auto obj = parse_object(*stored_config);
        submitted_config saved;
        if (!obj || parse_submitted_config(*obj, saved))
            return {
                std::nullopt, api_error{500, "request_failed", "stored manager_config_v1 is not valid JSON"}};
        if (auto e = open_key(box, saved.management_key, tolerate_undecryptable, r.undecryptable))
            return {std::nullopt, e};
        r.value = merge_config(std::move(r.value), saved);
        r.value.updated_at_ms = saved.updated_at_ms;
        r.source = "db";
    }
    if (stored_setup && r.value.cpa_base_url.empty() && r.value.management_key.empty())
    {
        if (auto obj = parse_object(*stored_setup))
        {
            std::string url, key, queue, side;
            get_string(*obj, "cpaBaseUrl", url);
            if (url.empty())
                get_string(*obj, "cpaUpstreamUrl", url);
            get_string(*obj, "managementKey", key);
            get_string(*obj, "queue", queue);
            get_string(*obj, "popSide", side);
            if (auto e = open_key(box, key, tolerate_undecryptable, r.undecryptable))
                return {std::nullopt, e};
            r.value.cpa_base_url = proxy::normalize_base_url(url);
            r.value.management_key = std::string(security::trim_space(key));
            if (!security::trim_space(queue).empty())
                r.value.collector.queue = queue;
            r.value.collector.pop_side = normalize_pop_side(side, r.value.collector.pop_side);
            r.source = "db";
        }
    }
    if (cfg.env_managed_connection())
    {
        auto& c = r.value.collector;
        r.value.cpa_base_url = proxy::normalize_base_url(cfg.cpa_upstream_url);
        r.value.management_key = cfg.cpa_management_key;
        c.mode = normalize_collector_mode(to_string(cfg.collector));
        c.queue = cfg.queue.empty() ? c.queue : cfg.queue;
        c.pop_side = normalize_pop_side(to_string(cfg.side), c.pop_side);
        c.batch_size = positive_or(cfg.batch_size, c.batch_size, 100);
        c.poll_interval_ms = positive_or(cfg.poll_interval_ms, c.poll_interval_ms, 500);
        c.query_limit = positive_or(cfg.query_limit, c.query_limit, 50000);
        c.tls_skip_verify = cfg.tls_skip_verify;
        r.source = "env";
    }
    return {std::move(r), std::nullopt};
}

} // namespace cpamd::api
