#include "one_shot.hpp"

#include <cpamd/proxy/cpa_client.hpp>
#include <cpamd/proxy/cpa_url.hpp>
#include <fmt/format.h>

namespace cpamd::proxy
{
namespace
{

namespace bhttp = boost::beast::http;

constexpr std::uint64_t max_response_body = 16u << 20; // management answers are small

} // namespace

boost::asio::awaitable<cpa_result> call_cpa(cpa_request request)
{
    auto url = parse_cpa_url(request.base_url);
    if (!url)
        co_return cpa_result{std::nullopt, "invalid CPA base URL"};
    detail::one_shot_request r;
    r.what = fmt::format("{} {}{}", bhttp::to_string(request.method), request.base_url, request.path);
    r.url = http_url{url->tls, url->host, url->port, url->base_path + request.path, url->host_header};
    r.method = request.method;
    if (!request.bearer.empty())
        r.headers.emplace_back(bhttp::field::authorization, "Bearer " + request.bearer);
    r.body = std::move(request.body);
    r.tls_skip_verify = request.tls_skip_verify;
    r.body_limit = max_response_body;
    r.timeout = request.timeout;
    co_return co_await detail::one_shot(std::move(r));
}

} // namespace cpamd::proxy
