#pragma once

// The reverse proxy's routes (spec manager-api §2 rows 13-15, §5.12, §5.13): every
// /v0/management/* path not served locally, /models, /v1/models and /v0/resource/plugins*.

#include <cpamd/api/services.hpp>
#include <cpamd/http/router.hpp>

namespace cpamd::api
{

void add_proxy_routes(http::router& routes, services& svc);

} // namespace cpamd::api
