#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cpamd/api/manager_state.hpp>

namespace cpamd::api
{
namespace json = boost::json;

std::string serialize_bootstrap_state(const bootstrap_state& s)
{
    json::object o;
    o["version"] = 1;
    o["status"] = s.status;
    o["adminReady"] = s.admin_ready;
    o["projectInitialized"] = s.project_initialized;
    o["dataKeyReady"] = s.data_key_ready;
    o["migratedLegacy"] = s.migrated_legacy;
    o["hasHistoricalData"] = s.has_historical_data;
    o["updatedAtMs"] = s.updated_at_ms;
    return json::serialize(o);
}

std::optional<bootstrap_state> parse_bootstrap_state(std::string_view text)
{
    boost::system::error_code ec;
    auto v = json::parse(text, ec);
    if (ec || !v.is_object())
        return std::nullopt;
    const auto& o = v.as_object();
    auto flag = [&](std::string_view k)
    {
        auto it = o.find(k);
        return it != o.end() && it->value().is_bool() && it->value().as_bool();
    };
    bootstrap_state s;
    if (auto it = o.find("status"); it != o.end() && it->value().is_string())
        s.status = std::string(it->value().as_string());
    s.admin_ready = flag("adminReady");
    s.project_initialized = flag("projectInitialized");
    s.data_key_ready = flag("dataKeyReady");
    s.migrated_legacy = flag("migratedLegacy");
    s.has_historical_data = flag("hasHistoricalData");
    if (auto it = o.find("updatedAtMs"); it != o.end() && it->value().is_int64())
        s.updated_at_ms = it->value().as_int64();
    return s;
}

std::string bootstrap_status(bool initialized, bool historical)
{
    if (initialized)
        return historical ? "migrated" : "ready";
    return historical ? "needs_setup" : "fresh";
}

bootstrap_state manager_state::bootstrap() const
{
    std::lock_guard lock(mutex_);
    return bootstrap_;
}

void manager_state::set_bootstrap(bootstrap_state b)
{
    std::lock_guard lock(mutex_);
    bootstrap_ = std::move(b);
}

std::string manager_state::upstream() const
{
    std::lock_guard lock(mutex_);
    return connection_ ? connection_->base_url : std::string();
}

std::optional<cpa_connection> manager_state::connection() const
{
    std::lock_guard lock(mutex_);
    return connection_;
}

void manager_state::set_connection(std::optional<cpa_connection> c)
{
    if (c && c->base_url.empty())
        c.reset();
    std::lock_guard lock(mutex_);
    connection_ = std::move(c);
    ++connection_version_;
}

service_state manager_state::info() const
{
    std::lock_guard lock(mutex_);
    service_state s;
    s.configured = connection_.has_value();
    s.project_initialized = s.configured || bootstrap_.project_initialized;
    s.configured = s.project_initialized;
    s.admin_ready = bootstrap_.admin_ready;
    s.migration_status = bootstrap_.status;
    s.data_key_ready = bootstrap_.data_key_ready;
    s.has_historical_data = bootstrap_.has_historical_data;
    return s;
}

} // namespace cpamd::api
