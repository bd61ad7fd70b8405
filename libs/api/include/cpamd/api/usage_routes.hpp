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
#include <cstdint>
#include <optional>
#include <string_view>

namespace cpamd::api
{

void add_usage_routes(http::router& r, services& svc);

// A millisecond timestamp as export's from/to take it (the route and `cpamd export`): a whole
// number, nothing else. nullopt otherwise.
std::optional<std::int64_t> parse_ms(std::string_view s);

} // namespace cpamd::api
