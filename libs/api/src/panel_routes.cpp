#include "content_coding.hpp"
#include "panel_asset.hpp"
#include "panel_file.hpp"
#include "panel_page.hpp"
#include "panel_placeholder.hpp"

#include <array>
#include <cpamd/api/panel_routes.hpp>
#include <cpamd/http/reply.hpp>
#include <cpamd/usage/sha256.hpp>
#include <memory>

namespace cpamd::api
{
namespace
{

// A file cpamd did not build: its inline scripts and styles are unknown, and an operator who
// points PANEL_PATH at another panel (the upstream one) must not find it broken by a policy it was
// never written for. So only what no panel needs is refused: being framed, <base>, plugins, and
// forms sent elsewhere.
constexpr std::string_view panel_path_csp =
    "base-uri 'none'; object-src 'none'; form-action 'self'; frame-ancestors 'none'";

// Where /management.html comes from, settled at start.
struct panel_sources
{
    std::unique_ptr<panel_file> file;          // PANEL_PATH, when set: it wins while readable
    const built_in_panel* built_in = nullptr;  // null when built without the panel
    std::array<std::string, 3> built_in_etags; // by content_coding
    std::string placeholder_etag;
};

std::string entity_tag(std::string_view tag)
{
    return '"' + std::string(tag) + '"';
}

panel_page built_in_page(const panel_sources& s, content_coding coding)
{
    const auto& p = *s.built_in;
    const auto& etag = s.built_in_etags[static_cast<std::size_t>(coding)];
    switch (coding)
    {
    case content_coding::brotli:
        return {.body = p.brotli, .content_encoding = "br", .etag = etag, .csp = p.csp};
    case content_coding::gzip:
        return {.body = p.gzip, .content_encoding = "gzip", .etag = etag, .csp = p.csp};
    case content_coding::identity:
        break;
    }
    return {.body = p.identity, .etag = etag, .csp = p.csp};
}

// Plain functions, not capturing lambdas: a coroutine must not keep a reference to a closure.
http::asio::awaitable<http::response> redirect_to_panel(http::exchange&)
{
    auto res = http::empty_reply(307);
    res.set(http::bhttp::field::location, "/management.html");
    co_return res;
}

http::asio::awaitable<http::response> serve_panel(std::shared_ptr<const panel_sources> s, http::exchange& ex)
{
    if (s->file)
        if (auto loaded = s->file->get())
            co_return panel_reply(ex, {.body = loaded->bytes, .etag = loaded->etag, .csp = panel_path_csp});
    if (s->built_in)
        co_return panel_reply(
            ex, built_in_page(*s, choose_content_coding(ex.header_value("Accept-Encoding")))
        );
    co_return panel_reply(
        ex, {.body = no_panel_page(), .etag = s->placeholder_etag, .csp = no_panel_page_csp}
    );
}

} // namespace

void add_panel_routes(http::router& r, std::filesystem::path panel_path)
{
    auto sources = std::make_shared<panel_sources>();
    if (!panel_path.empty())
        sources->file = std::make_unique<panel_file>(std::move(panel_path));
    if ((sources->built_in = find_built_in_panel()))
        sources->built_in_etags = {
            entity_tag(std::string(sources->built_in->etag) + "-br"),
            entity_tag(std::string(sources->built_in->etag) + "-gzip"),
            entity_tag(sources->built_in->etag),
        };
    sources->placeholder_etag = entity_tag(usage::sha256_hex(no_panel_page()).substr(0, 32));

    r.add({http::bhttp::verb::get}, "/", redirect_to_panel, {.name = "panel-root"});
    r.add(
        {http::bhttp::verb::get},
        "/management.html",
        [sources = std::shared_ptr<const panel_sources>(std::move(sources))](http::exchange& ex)
        { return serve_panel(sources, ex); },
        {.name = "panel"}
    );
}

} // namespace cpamd::api
