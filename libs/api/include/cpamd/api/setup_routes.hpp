#pragma once

// POST /setup (spec manager-api §5.4): validates the CPA connection against CPA itself, turns on
// CPA's usage statistics, saves `setup`, `manager_config_v1` (key encrypted) and
// `bootstrap_state_v1`, then asks the collector to restart. Admin only.

#include <cpamd/api/services.hpp>
#include <cpamd/http/router.hpp>

namespace cpamd::api
{

void add_setup_routes(http::router& r, services& svc);

} // namespace cpamd::api
