#pragma once

// The short page /management.html shows when cpamd has no panel to serve.

#include <string_view>

namespace cpamd::api
{

std::string_view no_panel_page();

// It has one inline style and no script.
inline constexpr std::string_view no_panel_page_csp =
    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors "
    "'none'";

} // namespace cpamd::api
