#pragma once

// The web panel built into this binary (cmake/CpamdPanel.cmake): panel/'s management.html with its
// gzip and brotli variants, made at build time.

#include <string_view>

namespace cpamd::api
{

struct built_in_panel
{
    std::string_view identity; // the page itself
    std::string_view gzip;
    std::string_view brotli;
    std::string_view etag; // hex of the page's SHA-256 (an entity tag without quotes)
    std::string_view csp;  // allows exactly the page's inline scripts and styles, by hash
};

// Null when cpamd was built without the panel (-DCPAMD_PANEL=OFF).
const built_in_panel* find_built_in_panel();

} // namespace cpamd::api
