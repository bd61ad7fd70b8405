#include <cpamd/api/panel_routes.hpp>
#include <cpamd/core/log.hpp>
#include <cpamd/http/reply.hpp>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>

namespace cpamd::api
{
namespace
{

namespace fs = std::filesystem;

// A panel build is a few hundred KiB; anything near this is not one.
constexpr std::uintmax_t max_panel_bytes = 32u << 20;

// Shown until the panel is built into cpamd: what to do instead of a bare 404.
constexpr std::string_view no_panel_page = R"(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>cpamd</title>
<style>body{font:15px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#222}
code{background:#f2f2f2;padding:0 .25rem;border-radius:3px}@media(prefers-color-scheme:dark){body{background:#111;color:#ddd}code{background:#222}}</style>
</head><body>
<h1>cpamd is running</h1>
<p>This build has no web panel yet. To use one, point <code>PANEL_PATH</code> (or <code>panelPath</code> in
config.json) at a <code>management.html</code>, for example CPA Manager Plus's web build, and open this page again.</p>
<p>The API works without it: <code>curl -H "Authorization: Bearer $ADMIN_KEY" http://HOST:18317/status</code>.</p>
<hr>
<p lang="zh">cpamd 正在运行。此版本尚未内置网页面板。请将 <code>PANEL_PATH</code>（或 config.json 中的
<code>panelPath</code>）指向一个 <code>management.html</code>（例如 CPA Manager Plus 的网页构建），然后重新打开本页。
不使用面板时，API 照常可用，例如 <code>/status</code>。</p>
</body></html>
)";

// The file at `path`, read again only when its size or modification time changed.
class panel_file
{
public:
    explicit panel_file(fs::path path) : path_(std::move(path)) {}

    // The content; null when the file cannot be read (each failure is logged once until it can).
    std::shared_ptr<const std::string> get()
    {
        std::error_code ec;
        const auto size = fs::file_size(path_, ec);
        const auto mtime = ec ? fs::file_time_type{} : fs::last_write_time(path_, ec);
        std::lock_guard lock(mutex_);
        if (ec || size > max_panel_bytes)
            return failed(ec ? ec.message() : "larger than 32 MiB");
        if (content_ && size == size_ && mtime == mtime_)
            return content_;
        std::ifstream in(path_, std::ios::binary);
        std::ostringstream text;
        text << in.rdbuf();
        if (!in)
            return failed("cannot read it");
        content_ = std::make_shared<const std::string>(std::move(text).str());
        size_ = size;
        mtime_ = mtime;
        warned_ = false;
        return content_;
    }

private:
    std::shared_ptr<const std::string> failed(const std::string& why)
    {
        if (!warned_)
            log::warn("panel: PANEL_PATH {}: {}; serving the placeholder page", path_.string(), why);
        warned_ = true;
        content_.reset();
        return nullptr;
    }

    const fs::path path_;
    std::mutex mutex_;
    std::shared_ptr<const std::string> content_;
    std::uintmax_t size_ = 0;
    fs::file_time_type mtime_{};
    bool warned_ = false;
};

http::response html_reply(std::string body)
{
    auto res = http::text_reply(200, std::move(body), "text/html; charset=utf-8");
    // Always asked again: a new panel build shows at the next load.
    res.set(http::bhttp::field::cache_control, "no-cache");
    return res;
}

// Plain functions, not capturing lambdas: a coroutine must not keep a reference to a closure.
http::asio::awaitable<http::response> redirect_to_panel(http::exchange&)
{
    auto res = http::empty_reply(307);
    res.set(http::bhttp::field::location, "/management.html");
    co_return res;
}

http::asio::awaitable<http::response> serve_panel(std::shared_ptr<panel_file> file, http::exchange&)
{
    auto content = file ? file->get() : nullptr;
    co_return html_reply(content ? *content : std::string(no_panel_page));
}

} // namespace

void add_panel_routes(http::router& r, std::filesystem::path panel_path)
{
    auto file = panel_path.empty() ? nullptr : std::make_shared<panel_file>(std::move(panel_path));
    r.add({http::bhttp::verb::get}, "/", redirect_to_panel, {.name = "panel-root"});
    r.add(
        {http::bhttp::verb::get},
        "/management.html",
        [file](http::exchange& ex) { return serve_panel(file, ex); },
        {.name = "panel"}
    );
}

} // namespace cpamd::api
