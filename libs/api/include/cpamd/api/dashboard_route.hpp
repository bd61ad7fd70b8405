#pragma once

// GET /v0/management/dashboard/summary (analytics-api §2): the dashboard's day so far, from
// analytics::summarize_dashboard. Admin only; a bad query is 400 {"error","code"} naming the
// parameter.

#include <cpamd/api/services.hpp>
#include <cpamd/http/router.hpp>

namespace cpamd::api
{

void add_dashboard_route(http::router& r, services& svc);

} // namespace cpamd::api
