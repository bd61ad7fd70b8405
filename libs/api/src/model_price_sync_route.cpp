#include "price_source_fetch.hpp"
#include "settings_io.hpp"

#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <cpamd/api/model_price_sync_route.hpp>
#include <cpamd/core/ascii.hpp>
#include <cpamd/http/reply.hpp>
#include <cpamd/pricing/price_catalog.hpp>
#include <cpamd/pricing/price_sync.hpp>
#include <cpamd/store/price_repository.hpp>
#include <set>
#include <variant>

namespace cpamd::api
{
namespace
{

namespace json = boost::json;
namespace asio = boost::asio;

struct sync_body
{
    std::vector<std::string> models; // trimmed, no empties, no repeats, in request order
    std::string source;              // "" (every configured source), "bundled" or one source's name
};

api_error bad_request(std::string message)
{
    return {400, "request_failed", "invalid request body: " + std::move(message)};
}

// {"models":[...]?, "source":"bundled"?}; an empty body is {}.
std::variant<sync_body, api_error> parse_body(const std::string& body)
{
    sync_body out;
    if (ascii::trim(body).empty())
        return out;
    boost::system::error_code ec;
    auto v = json::parse(body, ec);
    if (ec || !v.is_object())
        return bad_request("expected a JSON object");
    const auto& o = v.as_object();
    if (const auto* models = o.if_contains("models"); models && !models->is_null())
    {
        if (!models->is_array())
            return bad_request("models must be an array of model names");
        std::set<std::string> seen;
        for (const auto& m : models->as_array())
        {
            if (!m.is_string())
                return bad_request("models must be an array of model names");
            std::string name(ascii::trim(m.as_string()));
            if (!name.empty() && seen.insert(name).second)
                out.models.push_back(std::move(name));
        }
    }
    if (const auto* source = o.if_contains("source"); source && !source->is_null())
    {
        if (!source->is_string())
            return bad_request("source must be a string");
        out.source = std::string(ascii::trim(source->as_string()));
        static const std::set<std::string, std::less<>> known = {
            std::string(pricing::source_bundled),
            std::string(pricing::source_models_dev),
            std::string(pricing::source_litellm),
            std::string(pricing::source_openrouter)};
        if (!out.source.empty() && !known.contains(out.source))
            return bad_request(
                "unknown source \"" + out.source + "\" (expected bundled, models.dev, litellm or openrouter)"
            );
    }
    return out;
}

pricing::source_parse parse_source(std::string_view name, std::string_view body)
{
    if (name == pricing::source_litellm)
        return pricing::parse_litellm(body);
    if (name == pricing::source_openrouter)
        return pricing::parse_openrouter(body);
    return pricing::parse_models_dev(body);
}

// Fetches the sources in priority order into `session`, stopping once a model list is covered.
// Parsing and matching run on the reader pool: a large list must not hold an io thread.
asio::awaitable<void> fetch_sources(
    services* svc,
    const std::vector<detail::price_source_url>& sources,
    const std::optional<proxy::outbound_proxy>& proxy,
    pricing::sync_session& session
)
{
    for (const auto& s : sources)
    {
        auto got = co_await detail::fetch_price_source(s, proxy);
        pricing::fetched_source f{s.name, std::nullopt, got.error};
        bool covered = co_await svc->db.readers().run(
            [&](store::connection&)
            {
                if (f.error.empty())
                {
                    auto parsed = parse_source(s.name, got.body);
                    f.catalog = std::move(parsed.catalog);
                    f.error = std::move(parsed.error);
                }
                session.add(std::move(f));
                return session.covered();
            }
        );
        if (covered)
            break;
    }
}

asio::awaitable<http::response> handle_sync(services* svc, http::exchange& ex)
{
    auto parsed = parse_body(ex.body());
    if (auto* e = std::get_if<api_error>(&parsed))
        co_return http::error_reply(*e);
    auto& req = std::get<sync_body>(parsed);

    pricing::sync_session session(req.models, detail::now_ms());
    bool proxy_used = false;
    if (req.source == pricing::source_bundled)
        session.add({std::string(pricing::source_bundled), pricing::bundled_catalog(), {}});
    else
    {
        auto proxy = co_await detail::lookup_cpa_proxy(svc);
        if (!proxy.error.empty())
            co_return http::error_reply(
                502, "model_price_sync_failed", "model price sync failed: " + proxy.error
            );
        proxy_used = proxy.proxy.has_value();
        co_await fetch_sources(
            svc, detail::configured_price_sources(svc->cfg, req.source), proxy.proxy, session
        );
    }
    if (!session.any_succeeded())
        co_return http::error_reply(502, "model_price_sync_failed", session.failure_message());

    auto selection = co_await svc->db.readers().run([&](store::connection&) { return session.select(); });
    const auto results = session.source_results();

    // Read, decide and write in one transaction on the writer: a manual edit between the read
    // and the write cannot be overwritten.
    pricing::sync_write plan;
    pricing::price_records after;
    // A named task, not a temporary in the co_await expression (g++ 12 destroys those twice).
    store::event_writer::task write = [&](store::connection& c)
    {
        store::transaction tx(c);
        plan = pricing::plan_write(selection, results, store::load_price_records(c), req.models);
        store::upsert_price_records(c, plan.upserts);
        after = store::load_price_records(c);
        tx.commit();
    };
    auto error = co_await svc->db.writer().async_run(std::move(write), asio::use_awaitable);
    if (error)
        co_return http::error_reply(500, "request_failed", *error);

    pricing::sync_report report;
    report.sources = session.succeeded();
    report.imported = plan.upserts.size();
    report.skipped = session.skipped();
    report.matched = std::move(plan.upserts);
    report.candidates = std::move(selection.candidates);
    report.unmatched = std::move(selection.unmatched);
    report.preserved = std::move(plan.preserved);
    report.proxy_used = proxy_used;
    report.source_results = results;
    co_return http::json_reply(200, pricing::sync_report_to_json(report, after));
}

} // namespace

void add_model_price_sync_route(http::router& r, services& svc)
{
    services* s = &svc;
    r.add(
        {http::bhttp::verb::post},
        "/v0/management/model-prices/sync",
        [s](http::exchange& ex) { return handle_sync(s, ex); },
        {.auth = http::auth_level::admin, .name = "model-prices-sync"}
    );
}

} // namespace cpamd::api
