#pragma once

// GET /health and GET /usage-service/info (spec manager-api §5.1, §5.2).

#include <cpamd/http/router.hpp>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace cpamd::api
{

// What /usage-service/info reports about setup; supplied by the parts that know it.
struct service_state
{
    bool configured = false;          // a CPA connection (URL + key) is resolved
    bool admin_ready = false;         // an admin credential exists
    bool project_initialized = false; // as `configured`, else bootstrap_state_v1.projectInitialized
    std::optional<std::string> migration_status;
    bool data_key_ready = false;
    bool has_historical_data = false;
};

struct system_info
{
    std::int64_t started_at_ms = 0;
    std::function<service_state()> state; // unset: everything false
};

void add_system_routes(http::router& r, system_info info);

} // namespace cpamd::api
