#include "settings_io.hpp"

#include <boost/asio/use_awaitable.hpp>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <cpamd/api/api_key_alias_routes.hpp>
#include <cpamd/api/api_key_alias_rules.hpp>
#include <cpamd/http/reply.hpp>
#include <variant>

namespace cpamd::api
{
namespace
{

namespace json = boost::json;
namespace asio = boost::asio;

constexpr std::string_view select_all = "SELECT api_key_hash, alias, updated_at_ms FROM api_key_aliases "
                                        "ORDER BY alias COLLATE NOCASE, api_key_hash";

std::vector<api_key_alias> read_all(store::connection& c)
{
    std::vector<api_key_alias> rows;
    auto st = c.prepare(select_all);
    while (st.step())
        rows.push_back({std::string(st.text(0)), std::string(st.text(1)), st.int64(2)});
    return rows;
}

json::object items_reply(const std::vector<api_key_alias>& rows)
{
    json::array items;
    items.reserve(rows.size());
    for (const auto& r : rows)
        items.push_back(json::object{
            {"apiKeyHash", r.hash}, {"alias", r.alias}, {"updatedAtMs", r.updated_at_ms}});
    return json::object{{"items", std::move(items)}};
}

api_error bad_request(std::string message)
{
    return {400, "request_failed", std::move(message)};
}

// A JSON integer, or a whole number sent as a float (Go decodes either into int64).
std::optional<std::int64_t> json_int(const json::value& v)
{
    if (v.is_int64())
        return v.as_int64();
    if (v.is_uint64() && v.as_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
        return static_cast<std::int64_t>(v.as_uint64());
    // In range first: converting a double beyond int64 is undefined.
    if (const double d = v.is_double() ? v.as_double() : 0.5;
        d >= -9.2e18 && d <= 9.2e18 && d == static_cast<double>(static_cast<std::int64_t>(d)))
        return static_cast<std::int64_t>(d);
    if (v.is_null())
        return 0;
    return std::nullopt;
}

std::string_view string_field(const json::object& o, std::string_view key)
{
    auto* v = o.if_contains(key);
    return v && v->is_string() ? std::string_view(v->as_string()) : std::string_view();
}

struct put_request
{
    std::vector<api_key_alias> items;
    alias_put_options options;
};

// The body, validated item by item; any error rejects the whole request before a write.
std::variant<put_request, api_error> parse_put(const std::string& body, std::int64_t now)
{
    boost::system::error_code ec;
    auto v = json::parse(body, ec);
    if (ec || !v.is_object())
        return bad_request("invalid request body: expected a JSON object");
    const auto& o = v.as_object();
    put_request req;

    auto* items = o.if_contains("items");
    if (!items || items->is_null())
        return api_error{400, "api_key_aliases_required", "api key aliases are required"};
    if (!items->is_array())
        return bad_request("invalid request body: items must be an array");
    for (const auto& e : items->as_array())
    {
        if (!e.is_object())
            return bad_request("invalid request body: each item must be an object");
        const auto& it = e.as_object();
        auto hash = normalize_api_key_hash(string_field(it, "apiKeyHash"));
        if (!hash)
            return bad_request("invalid api key hash: expected 64 hex characters");
        auto alias = normalize_alias(string_field(it, "alias"));
        if (!alias)
            return bad_request("api key alias must be 1 to 120 characters");
        std::int64_t updated = 0;
        if (auto* u = it.if_contains("updatedAtMs"))
        {
            auto n = json_int(*u);
            if (!n)
                return bad_request("invalid request body: updatedAtMs must be a number");
            updated = *n;
        }
        req.items.push_back({std::move(*hash), std::move(*alias), updated > 0 ? updated : now});
    }

    if (auto* active = o.if_contains("activeApiKeyHashes"); active && !active->is_null())
    {
        if (!active->is_array())
            return bad_request("invalid request body: activeApiKeyHashes must be an array");
        std::set<std::string> hashes;
        for (const auto& h : active->as_array())
            if (h.is_string())
                if (auto n = normalize_api_key_hash(h.as_string()))
                    hashes.insert(std::move(*n));
        req.options.active_hashes = std::move(hashes);
    }
    if (auto* allow = o.if_contains("allowOrphanAliasCleanup"); allow && allow->is_bool())
        req.options.allow_orphan_cleanup = allow->as_bool();
    return req;
}

asio::awaitable<http::response> handle_get(services* svc, http::exchange&)
{
    auto rows = co_await svc->db.readers().run([](store::connection& c) { return read_all(c); });
    co_return http::json_reply(200, items_reply(rows));
}

asio::awaitable<http::response> handle_put(services* svc, http::exchange& ex)
{
    auto parsed = parse_put(ex.body(), detail::now_ms());
    if (auto* e = std::get_if<api_error>(&parsed))
        co_return http::error_reply(*e);
    auto& req = std::get<put_request>(parsed);

    // Read, check and write on the writer in one transaction: no other write can slip between
    // the clash check and the upsert, and a clash leaves the table as it was.
    bool duplicate = false;
    std::vector<api_key_alias> after;
    // A named task, not a temporary in the co_await expression (g++ 12 destroys those twice).
    store::event_writer::task write = [&](store::connection& c)
    {
        store::transaction tx(c);
        auto plan = plan_alias_put(read_all(c), req.items, req.options);
        if (plan.duplicate)
        {
            duplicate = true;
            return; // rolled back: nothing was written
        }
        auto del = c.prepare("DELETE FROM api_key_aliases WHERE api_key_hash = ?");
        for (const auto& h : plan.deletes)
            del.bind(1, std::string_view(h)).run();
        auto up =
            c.prepare("INSERT INTO api_key_aliases (api_key_hash, alias, updated_at_ms) VALUES (?, ?, ?) "
                      "ON CONFLICT (api_key_hash) DO UPDATE SET alias = excluded.alias, updated_at_ms = "
                      "excluded.updated_at_ms");
        for (const auto& i : plan.upserts)
            up.bind(1, std::string_view(i.hash))
                .bind(2, std::string_view(i.alias))
                .bind(3, i.updated_at_ms)
                .run();
        after = read_all(c);
        tx.commit();
    };
    auto error = co_await svc->db.writer().async_run(std::move(write), asio::use_awaitable);
    if (error)
        co_return http::error_reply(500, "request_failed", *error);
    if (duplicate)
        co_return http::error_reply(400, "api_key_alias_duplicate", "api key alias already exists");
    co_return http::json_reply(200, items_reply(after));
}

asio::awaitable<http::response> handle_delete(services* svc, http::exchange& ex)
{
    auto hash = normalize_api_key_hash(ex.param("hash"));
    if (!hash)
        co_return http::error_reply(bad_request("invalid api key hash: expected 64 hex characters"));
    // Named, as above.
    store::event_writer::task remove = [h = *hash](store::connection& c)
    { c.prepare("DELETE FROM api_key_aliases WHERE api_key_hash = ?").bind(1, std::string_view(h)).run(); };
    auto error = co_await svc->db.writer().async_run(std::move(remove), asio::use_awaitable);
    if (error)
        co_return http::error_reply(500, "request_failed", *error);
    co_return http::json_reply(200, json::object{{"ok", true}});
}

} // namespace

void add_api_key_alias_routes(http::router& r, services& svc)
{
    services* s = &svc;
    const std::string base = "/v0/management/api-key-aliases";
    r.add(
        {http::bhttp::verb::get},
        base,
        [s](http::exchange& ex) { return handle_get(s, ex); },
        {.auth = http::auth_level::admin, .name = "api-key-aliases-get"}
    );
    r.add(
        {http::bhttp::verb::put},
        base,
        [s](http::exchange& ex) { return handle_put(s, ex); },
        {.auth = http::auth_level::admin, .name = "api-key-aliases-put"}
    );
    r.add(
        {http::bhttp::verb::delete_},
        base + "/{hash}",
        [s](http::exchange& ex) { return handle_delete(s, ex); },
        {.auth = http::auth_level::admin, .name = "api-key-aliases-delete"}
    );
}

} // namespace cpamd::api
