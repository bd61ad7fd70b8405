#include "stream_reply.hpp"

#include <array>
#include <atomic>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cpamd/api/admin_auth.hpp>
#include <cpamd/api/manager_state.hpp>
#include <cpamd/api/proxy_routes.hpp>
#include <cpamd/core/log.hpp>
#include <cpamd/proxy/cpa_url.hpp>
#include <cpamd/proxy/reverse_proxy.hpp>
#include <mutex>
#include <string_view>

namespace cpamd::api
{
namespace
{

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
namespace json = boost::json;
using bhttp::verb;

// First path segments under /v0/management/ that are CPA's own management API (or ours): a
// caller without the admin key gets 401 there. Any other segment belongs to a CPA plugin, which
// checks the caller's own credentials (spec §5.13).
constexpr std::array<std::string_view, 16> management_segments = {
    "account-action-candidates",
    "accounts",
    "api-call",
    "api-key-aliases",
    "api-key-usage",
    "auth-files",
    "codex-inspection",
    "config",
    "dashboard",
    "model-prices",
    "monitoring",
    "plugin-store",
    "plugins",
    "reload",
    "usage",
    "usage-statistics-enabled",
};

// Manager-only features of the upstream that cpamd does not serve (yet): never CPA's business,
// so never proxied (spec §2).
bool is_unserved_local(std::string_view rest)
{
    auto first = rest.substr(0, rest.find('/'));
    return first == "account-action-candidates" || first == "codex-inspection" || first == "monitoring" ||
           first == "quota-snapshots" || rest == "dashboard/summary";
}

bool is_plugin_path(std::string_view rest)
{
    auto first = rest.substr(0, rest.find('/'));
    for (auto s : management_segments)
        if (first == s)
            return false;
    return true;
}

bool is_json(std::string_view content_type)
{
    return content_type.find("json") != std::string_view::npos;
}

// Rewrites a JSON object body in place of the original; anything else passes untouched.
std::function<std::string(std::string)> json_object_edit(std::function<bool(json::object&)> edit)
{
    return [edit = std::move(edit)](std::string body) -> std::string
    {
        boost::system::error_code ec;
        auto v = json::parse(body, ec);
        if (ec || !v.is_object() || !edit(v.as_object()))
            return body;
        return json::serialize(v);
    };
}

bool strip_panel_fields(json::object& o)
{
    std::vector<std::string> panel_only;
    for (const auto& kv : o)
        if (kv.key().starts_with("cpamp_"))
            panel_only.emplace_back(kv.key());
    for (const auto& k : panel_only)
        o.erase(k);
    return !panel_only.empty();
}

// The auth-file calls whose JSON bodies may carry the panel's own cpamp_* fields.
bool carries_panel_fields(verb method, std::string_view rest)
{
    if (rest == "auth-files")
        return method == verb::patch || method == verb::delete_ || method == verb::post;
    return method == verb::patch && (rest == "auth-files/status" || rest == "auth-files/fields");
}

// The resolved connection in the form the proxy uses, rebuilt only when setup or a config save
// changed it (not parsed again for every request).
class upstream_cache
{
public:
    struct entry
    {
        std::shared_ptr<const proxy::upstream_target> target;
        std::string authorization; // "Bearer <stored CPA key>"
    };

    explicit upstream_cache(const manager_state& state) : state_(state) {}

    // Null before setup (or with a stored key this data key cannot decrypt).
    std::shared_ptr<const entry> get()
    {
        // Each thread builds and keeps its own copy: requests on different threads then share no
        // lock and no reference count (a count both threads touch is a cache line they pass back
        // and forth on every request).
        struct thread_copy
        {
            std::uint64_t cache_id = 0;
            std::uint64_t version = 0;
            std::shared_ptr<const entry> current;
        };
        thread_local thread_copy mine;
        const auto version = state_.connection_version();
        if (mine.cache_id != id_ || mine.version != version)
            mine = {id_, version, build()};
        return mine.current;
    }

private:
    std::shared_ptr<const entry> build() const
    {
        auto c = state_.connection();
        if (!c || c->key.empty())
            return nullptr;
        auto target = proxy::make_upstream_target(c->base_url, c->tls_skip_verify);
        if (!target)
            return nullptr;
        return std::make_shared<const entry>(entry{std::move(target), "Bearer " + c->key});
    }

    static std::uint64_t next_id()
    {
        static std::atomic<std::uint64_t> last{0};
        return ++last;
    }

    const manager_state& state_;
    const std::uint64_t id_ = next_id(); // never 0, never reused: a thread's copy names its cache
};

class proxy_routes
{
public:
    proxy_routes(
        services& svc, std::shared_ptr<proxy::reverse_proxy> proxy, std::shared_ptr<upstream_cache> upstream
    )
        : svc_(svc), proxy_(std::move(proxy)), upstream_(std::move(upstream))
    {
    }

    // The handlers below only decide, then hand over the awaitable that does the work: no
    // coroutine frame of their own per request.

    // Everything under /v0/management/ that no local route took.
    asio::awaitable<void> management(http::exchange& ex)
    {
        const std::string_view rest = ex.path().substr(std::string_view("/v0/management/").size());
        if (is_unserved_local(rest))
            return reply(
                ex, http::error_reply(501, "not_implemented", "not implemented by cpamd"), unread_body(ex)
            );
        const bool plugin = is_plugin_path(rest);
        bool admin = false;
        if (plugin)
            admin = svc_.auth->is_admin(ex);
        else if (auto denied = svc_.auth->check(ex))
            return reply(ex, std::move(*denied), unread_body(ex));
        else
            admin = true;

        plan_edits edits;
        edits.stored_key = admin;
        edits.rewrite_origin = admin && plugin;
        edits.strip_panel_fields = admin && !plugin && carries_panel_fields(ex.method(), rest) &&
                                   is_json(ex.header_value("Content-Type"));
        return forward(ex, edits);
    }

    // /models and /v1/models: the caller's own key, no local check (spec §5.12).
    asio::awaitable<void> models(http::exchange& ex) { return forward(ex, plan_edits{}); }

    // /v0/resource/plugins*: the stored key for the admin, else the caller's own (spec §5.13).
    asio::awaitable<void> plugin_resources(http::exchange& ex)
    {
        const bool admin = svc_.auth->is_admin(ex);
        return forward(ex, plan_edits{admin, admin, false});
    }

private:
    // The panel tells plugins where it is served from; CPA must see its own origin instead.
    static void rewrite_origin(http::exchange& ex, proxy::forward_plan& plan)
    {
        const auto& origin = plan.upstream->origin;
        if (!ex.header_value("X-Codex-Invite-Origin").empty())
            plan.set_headers.emplace_back("X-Codex-Invite-Origin", origin);
        if (is_json(ex.header_value("Content-Type")))
            plan.edit_body = json_object_edit(
                [origin](json::object& o)
                {
                    auto* v = o.if_contains("management_origin");
                    if (!v || !v->is_string())
                        return false;
                    *v = origin;
                    return true;
                }
            );
    }

    struct plan_edits
    {
        bool stored_key = false;         // the stored CPA key replaces the caller's
        bool rewrite_origin = false;     // CPA's origin in management_origin / X-Codex-Invite-Origin
        bool strip_panel_fields = false; // cpamp_* fields out of a JSON body
    };

    // Relays the request to the resolved CPA, shaped by `edits`; 428 before setup.
    asio::awaitable<void> forward(http::exchange& ex, plan_edits edits)
    {
        auto upstream = upstream_->get();
        if (!upstream)
        {
            co_await not_configured(ex);
            co_return;
        }
        proxy::forward_plan plan;
        plan.upstream = upstream->target;
        if (edits.stored_key)
            plan.authorization = upstream->authorization;
        if (edits.rewrite_origin)
            rewrite_origin(ex, plan);
        if (edits.strip_panel_fields)
            plan.edit_body = json_object_edit(strip_panel_fields);
        auto error = co_await proxy_->relay(ex, std::move(plan));
        if (!error)
            co_return;
        if (error->status >= 500)
            log::warn(
                "proxy: {} {}: {}", std::string(ex.header().method_string()), ex.path(), error->message
            );
        co_await reply(ex, http::error_reply(error->status, error->code, error->message), ex.close_after);
    }

    asio::awaitable<void> not_configured(http::exchange& ex)
    {
        svc_.proxy_stats->not_configured++;
        co_await reply(
            ex,
            http::error_reply(428, "usage_service_not_configured", "usage service is not configured"),
            unread_body(ex)
        );
    }

    // A body we did not read cannot stay in front of the next request: then the reply closes.
    static bool unread_body(const http::exchange& ex) { return !ex.connection()->parser.is_done(); }

    asio::awaitable<void> reply(http::exchange& ex, http::response res, bool close)
    {
        co_await detail::send_reply(ex, std::move(res), svc_.cfg.cors_origins, close);
    }

    services& svc_;
    std::shared_ptr<proxy::reverse_proxy> proxy_;
    std::shared_ptr<upstream_cache> upstream_;
};

} // namespace

void add_proxy_routes(http::router& routes, services& svc)
{
    proxy::proxy_options o;
    o.connect_timeout = std::chrono::seconds(svc.cfg.proxy_connect_timeout_seconds);
    o.tls_timeout = std::min(o.connect_timeout, std::chrono::seconds(10));
    o.idle_timeout = std::chrono::seconds(svc.cfg.proxy_idle_timeout_seconds);
    o.max_idle_connections = svc.cfg.proxy_max_idle_connections;
    o.cors_origins = svc.cfg.cors_origins;
    auto proxy = std::make_shared<proxy::reverse_proxy>(std::move(o), svc.proxy_stats);
    auto upstream = std::make_shared<upstream_cache>(*svc.state);

    // One handler object for every request: it keeps no state of its own. The router keeps it
    // alive, and with it every request it started.
    auto handlers = std::make_shared<proxy_routes>(svc, proxy, upstream);
    auto make = [handlers](auto member)
    { return [handlers, member](http::exchange& ex) { return ((*handlers).*member)(ex); }; };
    http::route_options caller;
    caller.auth = http::auth_level::caller; // each handler decides (spec §2 rows 13-15)

    caller.name = "proxy";
    routes.add_stream({}, "/v0/management/*", make(&proxy_routes::management), caller);
    caller.name = "proxy-models";
    routes.add_stream({verb::get}, "/models", make(&proxy_routes::models), caller);
    routes.add_stream({verb::get}, "/v1/models", make(&proxy_routes::models), caller);
    caller.name = "proxy-plugin-resources";
    const std::initializer_list<verb> resource_methods = {
        verb::get, verb::head, verb::post, verb::put, verb::patch, verb::delete_};
    routes.add_stream(
        resource_methods, "/v0/resource/plugins", make(&proxy_routes::plugin_resources), caller
    );
    routes.add_stream(
        resource_methods, "/v0/resource/plugins/*", make(&proxy_routes::plugin_resources), caller
    );
}

} // namespace cpamd::api
