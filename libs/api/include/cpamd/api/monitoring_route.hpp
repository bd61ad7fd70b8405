#pragma once

// The monitoring routes (analytics-api §3). Admin only; a bad body is 400 {"error","code"}
// naming the field (src/json_fields.hpp).
//  * POST /v0/management/monitoring/analytics: the Monitoring Center, Usage Analytics and the
//    filter dropdowns in one request, from analytics::run_monitoring;
//  * POST …/account-history, POST …/account-window-usage, GET …/header-snapshots: the Accounts
//    page (analytics/account_usage.hpp). add_monitoring_routes adds these too.

#include <cpamd/api/services.hpp>
#include <cpamd/http/router.hpp>

namespace cpamd::api
{

void add_monitoring_routes(http::router& r, services& svc);
void add_monitoring_account_routes(http::router& r, services& svc);

} // namespace cpamd::api
