#pragma once

// GET /usage-service/account-processing-policy (spec analytics-api §5): the automation switches
// the upstream panel's config page reads. cpamd has no quota-cooldown or account-action
// automation, so every switch reads off, unconfigured and unlocked; PATCH answers 501 until it
// exists. Admin, but open while no CPA key is resolved (first setup), like GET /usage-service/config.

#include <cpamd/api/services.hpp>
#include <cpamd/http/router.hpp>

namespace cpamd::api
{

void add_policy_routes(http::router& r, services& svc);

} // namespace cpamd::api
