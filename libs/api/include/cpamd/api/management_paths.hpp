#pragma once

// Who answers a path under /v0/management/ (spec manager-api §2, §5.13; analytics-api §0), decided
// on the path's canonical form so that "//config", "/Config" or "%2fconfig" cannot slip a CPA path
// past the admin gate:
// - local: a Manager-only family (model-prices, api-key-aliases, dashboard, monitoring, ...).
//   cpamd answers it, never CPA.
// - cpa: CPA's own management API. Admin only, forwarded with the stored CPA key.
// - plugin: anything else, a CPA plugin's path. The admin is forwarded with the stored key; any
//   other caller only with CPA's own key (see docs/security.md).

#include <string>
#include <string_view>

namespace cpamd::api
{

enum class management_path
{
    local,
    cpa,
    plugin,
};

// The part after /v0/management/, percent-decoded, with runs of '/' collapsed, no leading or
// trailing '/', and in lower case.
std::string canonical_management_rest(std::string_view rest);

// Classifies a canonical rest (canonical_management_rest).
management_path classify_management_path(std::string_view canonical_rest);

} // namespace cpamd::api
