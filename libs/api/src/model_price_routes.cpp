#include "settings_io.hpp"

#include <boost/asio/use_awaitable.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <cpamd/api/model_price_routes.hpp>
#include <cpamd/http/reply.hpp>
#include <cpamd/pricing/price_catalog.hpp>
#include <cpamd/pricing/price_json.hpp>
#include <cpamd/store/price_repository.hpp>
#include <variant>

namespace cpamd::api
{
namespace
{

namespace json = boost::json;
namespace asio = boost::asio;

// A PUT carries the whole table, source entries (rawJson) included: more than the default 1 MiB.
constexpr std::uint64_t put_body_limit = 32 << 20;

json::object prices_reply(const pricing::price_records& records)
{
    // `catalog` is cpamd's own: the bundled snapshot's date and origin, so the panel can say how
    // old the rows with source "bundled" are. Clients of the upstream shape ignore it.
    const auto& c = pricing::bundled_catalog_info();
    return json::object{
        {"prices", pricing::price_records_to_json(records)},
        {"catalog",
         json::object{
             {"source", c.source},
             {"date", c.date},
             {"license", c.license},
             {"models", static_cast<std::uint64_t>(c.models)}}}};
}

// The body, every entry validated; any error rejects the whole request before a write.
std::variant<pricing::price_records, pricing::price_error>
parse_put(const std::string& body, std::int64_t now)
{
    boost::system::error_code ec;
    auto v = json::parse(body, ec);
    if (ec || !v.is_object())
        return pricing::price_error{"request_failed", "invalid request body: expected a JSON object"};
    return pricing::price_records_from_json(v.as_object().if_contains("prices"), now);
}

asio::awaitable<http::response> handle_get(services* svc, http::exchange&)
{
    auto records =
        co_await svc->db.readers().run([](store::connection& c) { return store::load_price_records(c); });
    co_return http::json_reply(200, prices_reply(records));
}

asio::awaitable<http::response> handle_put(services* svc, http::exchange& ex)
{
    auto parsed = parse_put(ex.body(), detail::now_ms());
    if (auto* e = std::get_if<pricing::price_error>(&parsed))
        co_return http::error_reply(400, e->code, e->message);
    const auto& records = std::get<pricing::price_records>(parsed);

    // Replace and read back in one transaction on the writer: the answer is the table as committed.
    pricing::price_records after;
    // A named task, not a temporary in the co_await expression (g++ 12 destroys those twice).
    store::event_writer::task write = [&](store::connection& c)
    {
        store::transaction tx(c);
        store::replace_price_records(c, records);
        after = store::load_price_records(c);
        tx.commit();
    };
    auto error = co_await svc->db.writer().async_run(std::move(write), asio::use_awaitable);
    if (error)
        co_return http::error_reply(500, "request_failed", *error);
    co_return http::json_reply(200, prices_reply(after));
}

} // namespace

void add_model_price_routes(http::router& r, services& svc)
{
    services* s = &svc;
    const std::string base = "/v0/management/model-prices";
    r.add(
        {http::bhttp::verb::get},
        base,
        [s](http::exchange& ex) { return handle_get(s, ex); },
        {.auth = http::auth_level::admin, .name = "model-prices-get"}
    );
    r.add(
        {http::bhttp::verb::put},
        base,
        [s](http::exchange& ex) { return handle_put(s, ex); },
        {.body_limit = put_body_limit, .auth = http::auth_level::admin, .name = "model-prices-put"}
    );
}

} // namespace cpamd::api
