#pragma once

// /v0/management/api-key-aliases GET, PUT and /{hash} DELETE (spec manager-api §5.11): the names
// the panel shows for client API keys, kept in the api_key_aliases table. Admin only.

#include <cpamd/api/services.hpp>
#include <cpamd/http/router.hpp>

namespace cpamd::api
{

void add_api_key_alias_routes(http::router& r, services& svc);

} // namespace cpamd::api
