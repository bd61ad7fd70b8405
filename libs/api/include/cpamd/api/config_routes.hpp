#pragma once

// GET and PUT /usage-service/config (spec manager-api §5.5). GET is open while no CPA key is
// resolved, else admin; PUT parses the body first, then requires admin. Our deviation: the CPA
// management key is answered masked, and a PUT that sends the masked form back keeps the stored
// key (docs/compatibility.md, docs/security.md).

#include <cpamd/api/services.hpp>
#include <cpamd/http/router.hpp>

namespace cpamd::api
{

void add_config_routes(http::router& r, services& svc);

} // namespace cpamd::api
