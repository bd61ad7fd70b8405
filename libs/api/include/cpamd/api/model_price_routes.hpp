#pragma once

// /v0/management/model-prices GET and PUT (spec manager-api §5.10): the price table the cost
// function reads, kept in model_prices and its two tier tables. Admin only. The routes are
// exact-path: /sync and /usage-summary are registered by their own families.

#include <cpamd/api/services.hpp>
#include <cpamd/http/router.hpp>

namespace cpamd::api
{

void add_model_price_routes(http::router& r, services& svc);

} // namespace cpamd::api
