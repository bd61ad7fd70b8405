#pragma once

// GET /status[?scope=database-maintenance] (spec manager-api §5.3), admin: the upstream's fields
// (collector and migration parts stay zero until those parts exist) plus ours: `store` (writer
// counters), `database` (file sizes), `uptimeSeconds`, `rssBytes` and `version`.

#include <cpamd/api/services.hpp>
#include <cpamd/http/router.hpp>

namespace cpamd::api
{

void add_status_route(http::router& r, services& svc);

} // namespace cpamd::api
