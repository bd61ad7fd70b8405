// CPA's HTTP surface as far as cpamd needs it: the management routes of spec §2 and §5, the
// client-key protected model list, and gin's NoRoute 404.

#include "generator.hpp"
#include "hostile_replies.hpp"
#include "json_text.hpp"
#include "routes.hpp"

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <cctype>
#include <fmt/format.h>

namespace cpamd::sim
{
namespace
{

namespace json = boost::json;
namespace http = boost::beast::http;

constexpr std::string_view mgmt_prefix = "/v0/management/";

std::string trim(std::string_view s)
{
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
        s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
        s.remove_suffix(1);
    return std::string(s);
}

bool iequals_prefix(std::string_view s, std::string_view prefix)
{
    if (s.size() < prefix.size())
        return false;
    for (std::size_t i = 0; i < prefix.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(s[i])) !=
            std::tolower(static_cast<unsigned char>(prefix[i])))
            return false;
    return true;
}

// gin's default NoRoute answer.
reply no_route()
{
    reply r;
    r.status = 404;
    r.set("Content-Type", "text/plain");
    r.body = "404 page not found";
    return r;
}

reply error_reply(unsigned status, std::string_view message)
{
    return json_reply(status, json::object{{"error", message}});
}

// The management key as CPA's middleware reads it (spec §2 "Auth").
std::string management_key_of(const http_request& req)
{
    auto auth = req[http::field::authorization];
    if (!trim(auth).empty())
    {
        std::string a = trim(auth);
        if (iequals_prefix(a, "bearer "))
            return trim(std::string_view(a).substr(7));
        return a;
    }
    return trim(req["X-Management-Key"]);
}

void add_version_headers(reply& r, const sim_context& ctx)
{
    // Go canonicalises header names on HTTP/1.1, so the wire has X-Cpa-Version.
    r.set("X-Cpa-Version", ctx.opts.cpa_version);
    r.set("X-Cpa-Commit", "a7e3596b");
    r.set("X-Cpa-Build-Date", "2026-08-22T00:00:00Z");
    r.set("X-Cpa-Support-Plugin", "true");
}

bool parse_bool_body(const std::string& body, bool& out)
{
    boost::system::error_code ec;
    auto v = json::parse(body, ec);
    if (ec || !v.is_object())
        return false;
    auto* val = v.as_object().if_contains("value");
    if (!val || !val->is_bool())
        return false;
    out = val->as_bool();
    return true;
}

std::string render_yaml(const sim_context& ctx)
{
    const auto& c = ctx.config;
    std::string y;
    y += fmt::format("port: {}\n", ctx.opts.listen_port);
    y += "remote-management:\n  allow-remote: " + std::string(ctx.opts.allow_remote ? "true" : "false") +
         "\n  secret-key: \"\"\n";
    y += std::string("debug: ") + (c.debug ? "true" : "false") + "\n";
    y += "proxy-url: \"" + c.proxy_url + "\"\n";
    y += fmt::format("request-retry: {}\n", c.request_retry);
    y += std::string("usage-statistics-enabled: ") + (c.usage_statistics_enabled ? "true" : "false") + "\n";
    y += fmt::format("redis-usage-queue-retention-seconds: {}\n", ctx.queue.retention_seconds());
    y += "api-keys:\n";
    for (const auto& k : c.api_keys)
        y += "  - \"" + k + "\"\n";
    y += c.extra_yaml;
    return y;
}

std::string unquote(std::string s)
{
    s = trim(s);
    if (s.size() >= 2 && (s.front() == '"' || s.front() == '\'') && s.back() == s.front())
        return s.substr(1, s.size() - 2);
    return s;
}

// A line-based reading of the keys the simulator understands; everything else is kept verbatim.
// Returns an error text for input that is obviously not YAML.
std::string apply_yaml(sim_context& ctx, const std::string& text)
{
    runtime_config next = ctx.config;
    next.extra_yaml.clear();
    std::optional<long long> retention;
    std::vector<std::string> keys;
    bool in_keys = false;
    bool saw_keys = false;
    bool in_known_block = false;
    std::size_t pos = 0;
    while (pos < text.size())
    {
        auto nl = text.find('\n', pos);
        std::string line = text.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
        pos = nl == std::string::npos ? text.size() : nl + 1;
        std::string t = trim(line);
        if (t.empty() || t[0] == '#')
            continue;
        bool indented = line[0] == ' ' || line[0] == '\t' || line[0] == '-';
        if (indented)
        {
            if (in_keys && t[0] == '-')
                keys.push_back(unquote(t.substr(1)));
            else if (!in_known_block)
                next.extra_yaml += line + "\n";
            continue;
        }
        in_keys = false;
        in_known_block = false;
        auto colon = t.find(':');
        if (colon == std::string::npos)
            return "invalid YAML: line without a key: " + t;
        std::string key = t.substr(0, colon);
        std::string val = trim(t.substr(colon + 1));
        if (key == "usage-statistics-enabled")
            next.usage_statistics_enabled = val == "true";
        else if (key == "debug")
            next.debug = val == "true";
        else if (key == "proxy-url")
            next.proxy_url = unquote(val);
        else if (key == "request-retry")
            next.request_retry = std::atoi(val.c_str());
        else if (key == "redis-usage-queue-retention-seconds")
            retention = std::atoll(val.c_str());
        else if (key == "api-keys")
        {
            in_keys = true;
            saw_keys = true;
        }
        else if (key == "port" || key == "remote-management")
            in_known_block = true; // fixed by the command line
        else
            next.extra_yaml += line + "\n";
    }
    if (saw_keys)
        next.api_keys = keys;
    ctx.config = next;
    if (retention)
        ctx.queue.set_retention(normalise_retention(*retention));
    return {};
}

json::value config_json(const sim_context& ctx)
{
    const auto& c = ctx.config;
    json::array keys;
    for (const auto& k : c.api_keys)
        keys.push_back(json::string(k));
    return json::object{
        {"debug", c.debug},
        {"proxy-url", c.proxy_url},
        {"api-keys", std::move(keys)},
        {"request-retry", c.request_retry},
        {"quota-exceeded", json::object{{"switch-project", true}, {"switch-preview-model", true}}},
        {"usage-statistics-enabled", c.usage_statistics_enabled},
        {"redis-usage-queue-retention-seconds", ctx.queue.retention_seconds()},
        {"logging-to-file", false},
        {"ws-auth", false},
    };
}

reply usage_queue_route(sim_context& ctx, const http_request& req)
{
    bool found = false;
    std::string count_text = trim(query_param(req.target(), "count", &found));
    long long count = 1;
    if (!count_text.empty())
    {
        try
        {
            std::size_t used = 0;
            count = std::stoll(count_text, &used);
            if (used != count_text.size())
                count = 0;
        }
        catch (const std::exception&)
        {
            count = 0;
        }
        if (count <= 0)
            return error_reply(400, "count must be a positive integer");
    }
    if (ctx.faults.over_answer > 0 || ctx.faults.garbage_bytes > 0)
    {
        // A hostile or broken CPA: the real queue is left alone.
        reply r;
        r.set("Content-Type", "application/json; charset=utf-8");
        r.body = ctx.faults.garbage_bytes > 0
                     ? garbage_body(
                           ++ctx.faults.garbage_replies, static_cast<std::size_t>(ctx.faults.garbage_bytes)
                       )
                     : over_answer_json(static_cast<std::size_t>(ctx.faults.over_answer));
        return r;
    }
    auto items = ctx.queue.pop(static_cast<std::size_t>(count));
    reply r;
    std::string body = "[";
    for (std::size_t i = 0; i < items.size(); ++i)
    {
        if (i)
            body += ',';
        std::string compact;
        if (compact_json(items[i].record, compact))
            body += compact;
        else
            body += gin_json(json::string(items[i].record)); // not JSON: embedded as a string
        r.popped.push_back(items[i].seq);
    }
    body += "]";
    r.set("Content-Type", "application/json; charset=utf-8");
    r.body = std::move(body);
    return r;
}

reply api_keys_route(sim_context& ctx, const http_request& req)
{
    if (req.method() == http::verb::get)
    {
        json::array keys;
        for (const auto& k : ctx.config.api_keys)
            keys.push_back(json::string(k));
        return json_reply(200, json::object{{"api-keys", std::move(keys)}});
    }
    if (req.method() == http::verb::put)
    {
        boost::system::error_code ec;
        auto v = json::parse(req.body(), ec);
        const json::array* arr = nullptr;
        if (!ec && v.is_array())
            arr = &v.as_array();
        else if (!ec && v.is_object() && v.as_object().contains("items") && v.as_object().at("items").is_array())
            arr = &v.as_object().at("items").as_array();
        if (!arr)
            return error_reply(400, "invalid body");
        std::vector<std::string> keys;
        for (const auto& k : *arr)
        {
            if (!k.is_string())
                return error_reply(400, "invalid body");
            keys.emplace_back(k.as_string());
        }
        ctx.config.api_keys = std::move(keys);
        ctx.broadcast_refresh();
        return json_reply(200, json::object{{"status", "ok"}});
    }
    // DELETE ?value=KEY
    std::string value = query_param(req.target(), "value");
    auto& keys = ctx.config.api_keys;
    auto it = std::find(keys.begin(), keys.end(), value);
    if (it == keys.end())
        return error_reply(404, "item not found");
    keys.erase(it);
    ctx.broadcast_refresh();
    return json_reply(200, json::object{{"status", "ok"}});
}

json::object auth_file_json(const auth_file& f)
{
    return json::object{
        {"id", f.name},
        {"name", f.name},
        {"type", f.provider},
        {"provider", f.provider},
        {"label", f.email},
        {"email", f.email},
        {"status", f.disabled ? "disabled" : "active"},
        {"disabled", f.disabled},
        {"auth_index", f.auth_index},
        {"size", f.content.size()},
        {"modtime", f.modtime},
        {"source", "file"},
    };
}

// The parts of a multipart/form-data body: (filename, content) for each file part.
std::vector<std::pair<std::string, std::string>> multipart_files(const http_request& req)
{
    std::vector<std::pair<std::string, std::string>> out;
    std::string ct(req[http::field::content_type]);
    auto b = ct.find("boundary=");
    if (b == std::string::npos)
        return out;
    std::string boundary = "--" + unquote(ct.substr(b + 9));
    const std::string& body = req.body();
    std::size_t pos = body.find(boundary);
    while (pos != std::string::npos)
    {
        pos += boundary.size();
        if (body.compare(pos, 2, "--") == 0)
            break;
        auto header_end = body.find("\r\n\r\n", pos);
        if (header_end == std::string::npos)
            break;
        std::string headers = body.substr(pos, header_end - pos);
        auto next = body.find("\r\n" + boundary, header_end + 4);
        if (next == std::string::npos)
            break;
        std::string content = body.substr(header_end + 4, next - header_end - 4);
        auto fn = headers.find("filename=\"");
        if (fn != std::string::npos)
        {
            auto end = headers.find('"', fn + 10);
            out.emplace_back(headers.substr(fn + 10, end - fn - 10), std::move(content));
        }
        pos = next + 2;
    }
    return out;
}

auth_file make_auth_file(std::string name, std::string content)
{
    auth_file f;
    f.name = std::move(name);
    f.content = std::move(content);
    f.provider = "unknown";
    boost::system::error_code ec;
    auto v = json::parse(f.content, ec);
    if (!ec && v.is_object())
    {
        if (auto* t = v.as_object().if_contains("type"); t && t->is_string())
            f.provider = std::string(t->as_string());
        if (auto* e = v.as_object().if_contains("email"); e && e->is_string())
            f.email = std::string(e->as_string());
    }
    f.auth_index = auth_index_for(f.name);
    f.modtime = rfc3339_nano(std::chrono::system_clock::now(), 0);
    return f;
}

reply auth_files_route(sim_context& ctx, const http_request& req, const std::string& path)
{
    auto& files = ctx.auth_files;
    if (path == "auth-files/download")
    {
        auto it = files.find(query_param(req.target(), "name"));
        if (it == files.end())
            return error_reply(404, "file not found");
        reply r;
        r.set("Content-Type", "application/json");
        r.set("Content-Disposition", "attachment; filename=\"" + it->first + "\"");
        r.body = it->second.content;
        return r;
    }
    if (path == "auth-files/status")
    {
        boost::system::error_code ec;
        auto v = json::parse(req.body(), ec);
        if (ec || !v.is_object() || !v.as_object().contains("name") || !v.as_object().contains("disabled"))
            return error_reply(400, "invalid body");
        auto it = files.find(std::string(v.as_object().at("name").as_string()));
        if (it == files.end())
            return error_reply(404, "auth file not found");
        it->second.disabled = v.as_object().at("disabled").as_bool();
        ctx.broadcast_refresh();
        return json_reply(200, json::object{{"status", "ok"}, {"disabled", it->second.disabled}});
    }
    switch (req.method())
    {
    case http::verb::get:
    {
        json::array list;
        for (const auto& [name, f] : files)
            list.push_back(auth_file_json(f));
        return json_reply(200, json::object{{"files", std::move(list)}});
    }
    case http::verb::post:
    {
        auto parts = multipart_files(req);
        if (parts.empty())
        {
            // Raw JSON body with ?name=
            std::string name = query_param(req.target(), "name");
            if (name.empty())
                return error_reply(400, "no files uploaded");
            parts.emplace_back(name, req.body());
        }
        for (auto& [name, content] : parts)
        {
            boost::system::error_code ec;
            json::parse(content, ec);
            if (ec || name.find('/') != std::string::npos || name.size() < 6 ||
                name.substr(name.size() - 5) != ".json")
                return error_reply(400, "invalid auth file: " + name);
            files[name] = make_auth_file(name, content);
        }
        ctx.broadcast_refresh();
        return json_reply(200, json::object{{"status", "ok"}, {"uploaded", parts.size()}});
    }
    case http::verb::delete_:
    {
        if (query_param(req.target(), "all") == "true")
        {
            auto n = files.size();
            files.clear();
            ctx.broadcast_refresh();
            return json_reply(200, json::object{{"status", "ok"}, {"deleted", n}});
        }
        if (files.erase(query_param(req.target(), "name")) == 0)
            return error_reply(404, "file not found");
        ctx.broadcast_refresh();
        return json_reply(200, json::object{{"status", "ok"}});
    }
    default:
        return no_route();
    }
}

reply logs_route(sim_context& ctx, const http_request& req)
{
    if (req.method() == http::verb::delete_)
    {
        auto n = ctx.log_lines.size();
        ctx.log_lines.clear();
        return json_reply(
            200, json::object{{"success", true}, {"message", "Logs cleared successfully"}, {"removed", n}}
        );
    }
    // Incremental: ?after=<line number> returns only newer lines.
    std::size_t after = 0;
    std::string a = query_param(req.target(), "after");
    if (!a.empty())
        after = static_cast<std::size_t>(std::max(0LL, std::atoll(a.c_str())));
    json::array lines;
    for (std::size_t i = std::min(after, ctx.log_lines.size()); i < ctx.log_lines.size(); ++i)
        lines.push_back(json::string(ctx.log_lines[i]));
    auto count = lines.size();
    return json_reply(
        200,
        json::object{
            {"lines", std::move(lines)},
            {"line-count", count},
            {"latest-timestamp", ctx.log_lines.size()},
        }
    );
}

bool is_route(const std::string& sub, http::verb m, bool old_cpa)
{
    using http::verb;
    if (sub == "usage-queue")
        return m == verb::get && !old_cpa;
    if (sub == "usage-statistics-enabled")
        return m == verb::get || m == verb::put || m == verb::patch;
    if (sub == "config" || sub == "auth-files/download" || sub == "sim/download" || sub == "sim/sse")
        return m == verb::get;
    if (sub == "sim/upload")
        return m == verb::put || m == verb::post;
    if (sub == "config.yaml")
        return m == verb::get || m == verb::put;
    if (sub == "api-keys")
        return m == verb::get || m == verb::put || m == verb::delete_;
    if (sub == "auth-files")
        return m == verb::get || m == verb::post || m == verb::delete_;
    if (sub == "auth-files/status")
        return m == verb::patch;
    if (sub == "logs")
        return m == verb::get || m == verb::delete_;
    return false;
}

// Management routes after the auth gate. nullopt: not a route (NoRoute).
std::optional<reply> management_route(sim_context& ctx, const http_request& req, const std::string& path)
{
    auto m = req.method();
    using http::verb;
    if (path == "usage-queue" && m == verb::get)
    {
        if (ctx.faults.old_cpa)
            return std::nullopt;
        return usage_queue_route(ctx, req);
    }
    if (path == "usage-statistics-enabled")
    {
        if (m == verb::get)
            return json_reply(
                200, json::object{{"usage-statistics-enabled", ctx.config.usage_statistics_enabled}}
            );
        if (m == verb::put || m == verb::patch)
        {
            bool v = false;
            if (!parse_bool_body(req.body(), v))
                return error_reply(400, "invalid body");
            ctx.config.usage_statistics_enabled = v;
            ctx.add_log_line(fmt::format("usage-statistics-enabled set to {}", v));
            return json_reply(200, json::object{{"status", "ok"}});
        }
    }
    if (path == "config" && m == verb::get)
        return json_reply(200, config_json(ctx));
    if (path == "config.yaml")
    {
        if (m == verb::get)
        {
            reply r;
            r.set("Content-Type", "application/yaml; charset=utf-8");
            r.body = render_yaml(ctx);
            return r;
        }
        if (m == verb::put)
        {
            auto err = apply_yaml(ctx, req.body());
            if (!err.empty())
                return json_reply(422, json::object{{"error", "invalid_yaml"}, {"message", err}});
            return json_reply(200, json::object{{"ok", true}, {"changed", json::array{"config"}}});
        }
    }
    if (path == "api-keys" && (m == verb::get || m == verb::put || m == verb::delete_))
        return api_keys_route(ctx, req);
    if (path == "auth-files" && (m == verb::get || m == verb::post || m == verb::delete_))
        return auth_files_route(ctx, req, path);
    if ((path == "auth-files/download" && m == verb::get) ||
        (path == "auth-files/status" && m == verb::patch))
        return auth_files_route(ctx, req, path);
    if (path == "logs" && (m == verb::get || m == verb::delete_))
        return logs_route(ctx, req);
    if (path == "sim/download" && m == verb::get)
    {
        reply r;
        r.kind = reply::body_kind::download;
        r.download_bytes =
            static_cast<std::uint64_t>(std::max(0LL, std::atoll(query_param(req.target(), "bytes").c_str())));
        r.set("Content-Type", "application/octet-stream");
        return r;
    }
    if (path == "sim/upload" && (m == verb::put || m == verb::post))
    {
        // Simulator-only: the size and FNV-1a 64 of what arrived, to check a relayed upload.
        std::uint64_t h = 14695981039346656037ull;
        for (unsigned char c : req.body())
            h = (h ^ c) * 1099511628211ull;
        return json_reply(
            200, json::object{{"bytes", req.body().size()}, {"fnv1a", fmt::format("{:016x}", h)}}
        );
    }
    if (path == "sim/sse" && m == verb::get)
    {
        reply r;
        r.kind = reply::body_kind::sse;
        std::string n = query_param(req.target(), "count");
        std::string iv = query_param(req.target(), "interval-ms");
        r.sse_events = n.empty() ? 5 : std::atoi(n.c_str());
        r.sse_interval_ms = iv.empty() ? 100 : std::atoi(iv.c_str());
        r.set("Content-Type", "text/event-stream");
        r.set("Cache-Control", "no-cache");
        return r;
    }
    return std::nullopt;
}

// CPA's client API-key check for /v1 routes.
std::optional<reply> check_client_key(const sim_context& ctx, const http_request& req)
{
    if (ctx.config.api_keys.empty())
        return std::nullopt;
    std::string key;
    std::string auth = trim(req[http::field::authorization]);
    if (iequals_prefix(auth, "bearer "))
        key = trim(std::string_view(auth).substr(7));
    if (key.empty())
        key = trim(req["X-Goog-Api-Key"]);
    if (key.empty())
        key = trim(req["X-Api-Key"]);
    if (key.empty())
        key = query_param(req.target(), "key");
    if (key.empty())
        return error_reply(401, "Missing API key");
    for (const auto& k : ctx.config.api_keys)
        if (secret_equal(k, key))
            return std::nullopt;
    return error_reply(401, "Invalid API key");
}

reply models_route(const sim_context& ctx, const http_request& req)
{
    if (auto denied = check_client_key(ctx, req))
        return *denied;
    json::array data;
    for (const auto& m : model_catalogue())
        data.push_back(json::object{
            {"id", m.first}, {"object", "model"}, {"created", 1755820800}, {"owned_by", m.second}});
    return json_reply(200, json::object{{"object", "list"}, {"data", std::move(data)}});
}

} // namespace

std::string target_path(std::string_view target)
{
    auto q = target.find('?');
    return std::string(target.substr(0, q));
}

std::string query_param(std::string_view target, std::string_view name, bool* found)
{
    if (found)
        *found = false;
    auto q = target.find('?');
    if (q == std::string_view::npos)
        return {};
    std::string_view query = target.substr(q + 1);
    while (!query.empty())
    {
        auto amp = query.find('&');
        std::string_view pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        auto eq = pair.find('=');
        if (pair.substr(0, eq) != name)
            continue;
        if (found)
            *found = true;
        std::string_view raw = eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
        std::string out;
        for (std::size_t i = 0; i < raw.size(); ++i)
        {
            if (raw[i] == '+')
                out.push_back(' ');
            else if (raw[i] == '%' && i + 2 < raw.size() && std::isxdigit(static_cast<unsigned char>(raw[i + 1])) && std::isxdigit(static_cast<unsigned char>(raw[i + 2])))
            {
                out.push_back(static_cast<char>(std::stoi(std::string(raw.substr(i + 1, 2)), nullptr, 16)));
                i += 2;
            }
            else
                out.push_back(raw[i]);
        }
        return out;
    }
    return {};
}

reply json_reply(unsigned status, const boost::json::value& body)
{
    reply r;
    r.status = status;
    r.set("Content-Type", "application/json; charset=utf-8");
    r.body = gin_json(body);
    return r;
}

reply handle_cpa_request(sim_context& ctx, const http_request& req, const request_info& info)
{
    std::string path = target_path(req.target());
    if (path == "/v1/models" || path == "/models")
    {
        if (req.method() != http::verb::get)
            return no_route();
        reply r = models_route(ctx, req);
        return r;
    }
    if (path.rfind(mgmt_prefix, 0) != 0)
        return no_route();
    std::string sub = path.substr(mgmt_prefix.size());
    // Unknown routes and methods are NoRoute without an auth check (no plugin host loaded).
    if (!is_route(sub, req.method(), ctx.faults.old_cpa))
        return no_route();

    auto result = ctx.auth.check(info.client_ip, management_key_of(req));
    reply r;
    if (result != auth_result::ok)
    {
        unsigned status =
            result == auth_result::missing_key || result == auth_result::invalid_key ? 401 : 403;
        r = error_reply(status, ctx.auth.message(result, info.client_ip));
    }
    else
    {
        auto routed = management_route(ctx, req, sub);
        if (!routed)
            return no_route();
        r = std::move(*routed);
    }
    add_version_headers(r, ctx);
    return r;
}

} // namespace cpamd::sim
