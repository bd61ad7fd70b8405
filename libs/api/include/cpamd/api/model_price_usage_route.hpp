#pragma once

// GET /v0/management/model-prices/usage-summary (spec manager-api §5.10): the models recent
// traffic names, with requested and resolved call counts, from the rollups. Admin only.

#include <cpamd/api/services.hpp>
#include <cpamd/http/router.hpp>

namespace cpamd::api
{

void add_model_price_usage_route(http::router& r, services& svc);

} // namespace cpamd::api
