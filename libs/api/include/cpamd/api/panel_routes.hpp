#pragma once

// The web panel's two routes (spec manager-api §5.14, docs/http.md "The panel"): GET / answers 307
// to /management.html, which serves the file at PANEL_PATH when one is set and readable (read
// again whenever its size or modification time changes), else the panel built into cpamd (brotli,
// gzip or identity by Accept-Encoding), else a short page saying how to get a panel. Every answer
// has an ETag (If-None-Match gives 304), Cache-Control: no-cache and a Content-Security-Policy.
// Both routes are open: the panel logs in with the admin key itself.

#include <cpamd/http/router.hpp>
#include <filesystem>

namespace cpamd::api
{

void add_panel_routes(http::router& r, std::filesystem::path panel_path);

} // namespace cpamd::api
