#include "settings_io.hpp"

#include <boost/asio/use_awaitable.hpp>
#include <boost/json/parse.hpp>
#include <cpamd/alerts/engine.hpp>
#include <cpamd/api/alerts_settings.hpp>
#include <cpamd/api/manager_state.hpp>
#include <cpamd/core/log.hpp>
#include <cpamd/store/settings.hpp>

namespace cpamd::api
{

current_alerts
resolve_alerts(const config& cfg, const std::optional<std::string>& stored, const security::secret_box& box)
{
    current_alerts out;
    if (!cfg.alerts_json.empty())
    {
        out.source = "file";
        auto parsed = alerts::parse_alerts(boost::json::parse(cfg.alerts_json), nullptr);
        if (parsed.error)
            out.error = api_error{500, "alerts_unreadable", "config.json alerts: " + parsed.error->message};
        else
            out.config = std::move(*parsed.ok);
        return out;
    }
    if (!stored)
    {
        out.source = "default";
        return out;
    }
    out.source = "db";
    auto opened = alerts::open_stored_alerts(*stored, box);
    if (opened.error)
        out.error = opened.error;
    else
        out.config = std::move(*opened.ok);
    return out;
}

boost::asio::awaitable<current_alerts> read_alerts(services& svc)
{
    auto stored =
        co_await svc.db.readers().run([](store::connection& c)
                                      { return store::read_setting(c, alerts::alerts_setting_key); });
    co_return resolve_alerts(svc.cfg, stored, svc.state->box());
}

alerts_submission check_alerts_submission(const current_alerts& current, const boost::json::value& body)
{
    if (current.source == "file")
        return {std::nullopt, api_error{409, "alerts_managed_by_file", "alerts are managed by config.json"}};
    auto parsed = alerts::parse_alerts(body, current.error ? nullptr : &current.config);
    if (parsed.error)
        return {std::nullopt, parsed.error};
    return {std::move(parsed.ok), std::nullopt};
}

boost::asio::awaitable<std::optional<api_error>> save_alerts(services& svc, const alerts::alerts_config& c)
{
    const auto now = detail::now_ms();
    // A named task: g++ 12 destroys temporaries in a co_await expression twice.
    store::event_writer::task save =
        [row = alerts::serialize_stored_alerts(c, svc.state->box()), now](store::connection& conn)
    { store::write_setting(conn, alerts::alerts_setting_key, row, now); };
    auto error = co_await svc.db.writer().async_run(std::move(save), boost::asio::use_awaitable);
    if (error)
    {
        log::error("alerts: saving the settings failed: {}", *error);
        co_return api_error{500, "request_failed", "save alerts: " + *error};
    }
    if (svc.alerts)
        svc.alerts->apply(c);
    log::info("alerts settings saved: {} rule(s), {} sink(s)", c.rules.size(), c.sinks.size());
    co_return std::nullopt;
}

} // namespace cpamd::api
