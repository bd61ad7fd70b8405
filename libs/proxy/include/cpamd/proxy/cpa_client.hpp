#pragma once

// One-shot requests to CPA's management API (validate a key, read the config, flip the usage
// statistics toggle). HTTP or HTTPS; certificates are verified against the system store with SNI
// and host name checks unless tls_skip_verify is set. Runs on the caller's executor and never
// blocks it. The full streaming reverse proxy is a separate, later part.

#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/verb.hpp>
#include <chrono>
#include <cpamd/proxy/url_fetch.hpp>
#include <string>

namespace cpamd::proxy
{

struct cpa_request
{
    std::string base_url; // normalized (normalize_base_url)
    boost::beast::http::verb method = boost::beast::http::verb::get;
    std::string path;   // appended to the base URL's path, e.g. "/v0/management/config"
    std::string bearer; // the management key; secret, never logged
    std::string body;   // sent as application/json when non-empty
    bool tls_skip_verify = false;
    std::chrono::milliseconds timeout{std::chrono::seconds(30)}; // the whole exchange
};

// The same transport as fetch_url (url_fetch.hpp), so the same result: a response (any status;
// reason e.g. "401 Unauthorized", as Go's resp.Status) or a transport failure described in
// `error`, e.g. "GET http://127.0.0.1:1/v0/management/config: connect: Connection refused". The
// text names the URL, never the key.
using cpa_response = fetch_response;
using cpa_result = fetch_result;

// Never throws for network failures; those come back in cpa_result::error.
boost::asio::awaitable<cpa_result> call_cpa(cpa_request request);

} // namespace cpamd::proxy
