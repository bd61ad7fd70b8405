#include "stream_reply.hpp"

#include <array>
#include <atomic>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cpamd/api/admin_auth.hpp>
#include <cpamd/api/management_paths.hpp>
#include <cpamd/api/manager_state.hpp>
#include <cpamd/api/proxy_routes.hpp>
#include <cpamd/core/log.hpp>
#include <cpamd/proxy/cpa_url.hpp>
#include <cpamd/proxy/reverse_proxy.hpp>
#include <cpamd/security/bearer.hpp>
#include <cpamd/security/secret.hpp>
#include <cpamd/security/text.hpp>
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

// Headers that may carry a key for CPA. Only the one the plan sets (the stored CPA key in
// Authorization) reaches CPA on management and plugin paths.
const std::vector<std::string> management_key_headers = {"X-Management-Key"};

// The credential a plugin caller offers CPA: its bearer token, else X-Management-Key (as CPA
// reads them).
std::string_view offered_management_key(const http::exchange& ex)
{
    auto token = security::extract_bearer_token(ex.header_value("Authorization"));
    if (token.empty())
        token = security::trim_space(ex.header_value("X-Management-Key"));
    return token;
}

// The target without any `name=` pair in its query.
std::string without_query_param(std::string_view target, std::string_view name)
{
    const auto q = target.find('?');
    std::string out(target.substr(0, q));
    if (q == std::string_view::npos)
        return out;
    char sep = '?';
    std::string_view query = target.substr(q + 1);
    while (!query.empty())
    {
        const auto amp = query.find('&');
        const auto pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        if (http::decode_query_component(pair.substr(0, pair.find('='))) == name)
            continue;
        out += sep;
        out += pair;
        sep = '&';
    }
    return out;
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
        std::string key;           // the stored CPA key
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
        return std::make_shared<const entry>(entry{std::move(target), "Bearer " + c->key, c->key});
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
        const auto rest =
            canonical_management_rest(ex.path().substr(std::string_view("/v0/management/").size()));
        switch (classify_management_path(rest))
        {
        case management_path::local:
            // Families cpamd serves: a method no local route takes is 405, like the upstream's mux.
            return local_unserved(ex, is_served_family(rest));
        case management_path::plugin:
            return plugin(ex);
        case management_path::cpa:
            break;
        }
        if (auto denied = svc_.auth->check(ex))
            return reply(ex, std::move(*denied), unread_body(ex));
        plan_edits edits;
        edits.strip_panel_fields =
            carries_panel_fields(ex.method(), rest) && is_json(ex.header_value("Content-Type"));
        return forward(ex, edits);
    }

    // /models and /v1/models: the caller's own key, no local check (spec §5.12); but the admin
    // key, wherever the caller put it, stays here.
    asio::awaitable<void> models(http::exchange& ex)
    {
        plan_edits edits;
        edits.stored_key = false;
        if (svc_.auth->is_admin_key(security::extract_bearer_token(ex.header_value("Authorization"))))
            edits.drop_headers.emplace_back("Authorization");
        for (const auto* name : {"X-Api-Key", "X-Goog-Api-Key"})
            if (svc_.auth->is_admin_key(security::trim_space(ex.header_value(name))))
                edits.drop_headers.emplace_back(name);
        if (auto key = ex.query_value("key"); key && svc_.auth->is_admin_key(security::trim_space(*key)))
            edits.target = without_query_param(ex.target(), "key");
        return forward(ex, std::move(edits));
    }

    // /v0/resource/plugins*: as a plugin path under /v0/management/ (spec §5.13).
    asio::awaitable<void> plugin_resources(http::exchange& ex) { return plugin(ex); }

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
        bool stored_key = true;          // the stored CPA key replaces the caller's
        bool rewrite_origin = false;     // CPA's origin in management_origin / X-Codex-Invite-Origin
        bool strip_panel_fields = false; // cpamp_* fields out of a JSON body
        bool client_chain = true;        // the client's X-Forwarded-For chain goes on to CPA
        std::vector<std::string> drop_headers = management_key_headers;
        std::optional<std::string> target; // replaces the client's
    };

    // A plugin path (spec §5.13). The admin is forwarded with the stored key. Anyone else only
    // with CPA's own key, which cpamd holds: any other credential would be a failed login at CPA,
    // charged to whatever address CPA reads, and five of those ban cpamd's own. A blocked address
    // is refused here too, so a throttled admin's key never goes on as "the caller's own".
    asio::awaitable<void> plugin(http::exchange& ex)
    {
        if (auto refused = svc_.auth->refuse_if_blocked(ex))
            return reply(ex, std::move(*refused), unread_body(ex));
        auto upstream = upstream_->get();
        if (!upstream)
            return not_configured(ex);
        plan_edits edits;
        const auto offered = offered_management_key(ex);
        if (!offered.empty() && security::constant_time_equal(offered, upstream->key))
            edits.client_chain = false; // CPA sees the address cpamd saw, nothing a caller wrote
        else if (svc_.auth->is_admin(ex))
            edits.rewrite_origin = true;
        else
            return reply(
                ex, http::error_reply(401, "invalid_admin_key", "invalid admin key"), unread_body(ex)
            );
        return forward(ex, std::move(edits));
    }

    // The local families cpamd serves (a first segment of `rest`, canonical).
    static bool is_served_family(std::string_view rest)
    {
        for (std::string_view family :
             {"usage", "api-key-aliases", "model-prices", "dashboard", "monitoring"})
            if (rest == family || (rest.starts_with(family) && rest.substr(family.size()).starts_with('/')))
                return true;
        return false;
    }

    // Manager-only families (analytics-api §0) that no local route took: never CPA's business.
    // In a family cpamd serves that is a wrong method or sub-path, 405 as upstream; else 501.
    asio::awaitable<void> local_unserved(http::exchange& ex, bool served_family)
    {
        if (auto denied = svc_.auth->check(ex))
            return reply(ex, std::move(*denied), unread_body(ex));
        auto res = served_family ? http::error_reply(405, "method_not_allowed", "method not allowed")
                                 : http::error_reply(501, "not_implemented", "not implemented by cpamd");
        return reply(ex, std::move(res), unread_body(ex));
    }

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
        plan.drop_headers = std::move(edits.drop_headers);
        plan.target = std::move(edits.target);
        plan.client_chain = edits.client_chain;
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
