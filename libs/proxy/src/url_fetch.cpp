#include "one_shot.hpp"

#include <cpamd/proxy/url_fetch.hpp>

namespace cpamd::proxy
{

boost::asio::awaitable<fetch_result> fetch_url(fetch_request request)
{
    detail::one_shot_request r;
    r.what = (request.post ? "POST " : "GET ") + request.url;
    auto url = parse_http_url(request.url);
    if (!url)
        co_return fetch_result{std::nullopt, r.what + ": not an http(s) URL"};
    r.url = std::move(*url);
    r.headers = {{boost::beast::http::field::connection, "close"}};
    if (request.post)
    {
        r.method = boost::beast::http::verb::post;
        r.body = std::move(request.body);
        r.content_type = std::move(request.content_type);
        r.named_headers = std::move(request.headers);
    }
    r.proxy = std::move(request.proxy);
    r.body_limit = request.body_limit;
    r.timeout = request.timeout;
    r.name_connect_host = true;
    r.name_body_limit = true;
    co_return co_await detail::one_shot(std::move(r));
}

} // namespace cpamd::proxy
