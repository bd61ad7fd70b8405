#include "panel_placeholder.hpp"

namespace cpamd::api
{

// What to do instead of a bare 404 when the build left the panel out.
std::string_view no_panel_page()
{
    return R"(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>cpamd</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#222}
code{background:#f2f2f2;padding:0 .25rem;border-radius:3px}@media(prefers-color-scheme:dark){body{background:#111;color:#ddd}code{background:#222}}</style>
</head><body>
<h1>cpamd is running</h1>
<p>This build has no web panel: it was built with <code>-DCPAMD_PANEL=OFF</code>. Build cpamd with Node.js and
npm present to get it (docs/building.md), or point <code>PANEL_PATH</code> (or <code>panelPath</code> in
config.json) at a <code>management.html</code>, for example CPA Manager Plus's web build, and open this page again.</p>
<p>The API works without it: <code>curl -H "Authorization: Bearer $ADMIN_KEY" http://HOST:18317/status</code>.</p>
<hr>
<p lang="zh">cpamd 正在运行。此版本未内置网页面板（构建时使用了 <code>-DCPAMD_PANEL=OFF</code>）。请在装有 Node.js 和 npm
的环境中重新构建 cpamd（见 docs/building.md），或将 <code>PANEL_PATH</code>（或 config.json 中的 <code>panelPath</code>）指向一个
<code>management.html</code>（例如 CPA Manager Plus 的网页构建），然后重新打开本页。不使用面板时，API 照常可用，例如 <code>/status</code>。</p>
</body></html>
)";
}

} // namespace cpamd::api
