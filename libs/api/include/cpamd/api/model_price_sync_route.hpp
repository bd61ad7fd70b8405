#pragma once

// POST /v0/management/model-prices/sync (spec manager-api §5.10; docs/pricing.md): fetches
// models.dev, LiteLLM and OpenRouter (through CPA's proxy-url when CPA has one), or reads the
// bundled catalog with {"source":"bundled"}, and upserts the matched prices in one transaction.
// Every source failing is a 502 that writes nothing. Admin only.

#include <cpamd/api/services.hpp>
#include <cpamd/http/router.hpp>

namespace cpamd::api
{

void add_model_price_sync_route(http::router& r, services& svc);

} // namespace cpamd::api
