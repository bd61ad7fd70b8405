#pragma once

// The alerts routes (docs/alerts.md): GET/PUT /usage-service/alerts, the history and the test
// button. Admin key only.

#include <cpamd/api/services.hpp>
#include <cpamd/http/router.hpp>

namespace cpamd::api
{

void add_alert_routes(http::router& r, services& svc);

} // namespace cpamd::api
