#pragma once

// The usage routes (manager-api §5.6–§5.9), all admin:
//   GET    /v0/management/usage                             compatible payload, streamed (chunked)
//   GET    /v0/management/usage/export[?from=MS&to=MS]      JSONL, oldest first, streamed (chunked)
//   POST   /v0/management/usage/import                      all formats, all-or-nothing
//   POST   /v0/management/usage/import-sessions             resumable upload of a large import
//   GET|DELETE /v0/management/usage/import-sessions/{id}
//   PUT    /v0/management/usage/import-sessions/{id}/chunk?offset=N
//   POST   /v0/management/usage/import-sessions/{id}/complete

#include <cpamd/api/services.hpp>
#include <cpamd/http/router.hpp>

namespace cpamd::api
{

void add_usage_routes(http::router& r, services& svc);

} // namespace cpamd::api
