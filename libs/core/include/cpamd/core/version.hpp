#pragma once

#include <string_view>

namespace cpamd
{

// The release version, from project(VERSION) in the top-level CMakeLists.txt.
inline constexpr std::string_view version = CPAMD_VERSION;

// What /health and /usage-service/info call us; `service` stays "cpa-manager-plus" for the panel.
inline constexpr std::string_view implementation = "cpamd";

} // namespace cpamd
