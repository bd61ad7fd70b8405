// The heads the proxy writes, byte for byte, from parsed headers: what crosses, what stays on its
// hop, what is added, and how the body is framed.

#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <catch2/catch.hpp>
#include <cpamd/proxy/header_rules.hpp>
#include <cpamd/proxy/response_head.hpp>
#include <string>
#include <utility>
#include <vector>

namespace
{

namespace bhttp = boost::beast::http;
using namespace cpamd::proxy;

bhttp::request_header<> parse_request_head(const std::string& raw)
{
    bhttp::request_parser<bhttp::empty_body> p;
    p.eager(false);
    boost::system::error_code ec;
    p.put(boost::asio::buffer(raw), ec);
    REQUIRE_FALSE(ec);
    REQUIRE(p.is_header_done());
    return p.release().base();
}

// CPA's answers are read into a response_head, as the relay reads them.
response_head parse_response_head(const std::string& raw)
{
    response_head_parser p;
    p.eager(false);
    boost::system::error_code ec;
    p.put(boost::asio::buffer(raw), ec);
    REQUIRE_FALSE(ec);
    REQUIRE(p.is_header_done());
    return p.head();
}

} // namespace

TEST_CASE(
    "the upstream head: hop fields stay, forwarding fields are added, the framing is ours", "[header_rules]"
)
{
    const auto in = parse_request_head("POST /v0/management/auth-files?x=1 HTTP/1.1\r\n"
                                       "Host: panel.example\r\n"
                                       "Connection: keep-alive, X-Hop-Only\r\n"
                                       "X-Hop-Only: 1\r\n"
                                       "Keep-Alive: timeout=5\r\n"
                                       "Expect: 100-continue\r\n"
                                       "Content-Length: 12\r\n"
                                       "Authorization: Bearer the-admin-key\r\n"
                                       "X-Forwarded-For: 203.0.113.7\r\n"
                                       "x-forwarded-for: 198.51.100.1\r\n"
                                       "X-CPAMP-Auth-File-Name: panel-only\r\n"
                                       "X-Codex-Invite-Origin: https://panel.example\r\n"
                                       "X-Custom: kept\r\n"
                                       "\r\n");
    const std::vector<std::pair<std::string, std::string>> set = {
        {"X-Codex-Invite-Origin", "http://cpa:8317"}};
    upstream_head u{"/base/v0/management/auth-files?x=1", "cpa:8317", "127.0.0.1"};
    u.authorization = "Bearer stored-cpa-key";
    u.set_headers = set;
    std::string out;
    append_upstream_head(in, u, out);
    end_head(body_framing{body_framing::kind::length, 20}, out);
    CHECK(
        out == "POST /base/v0/management/auth-files?x=1 HTTP/1.1\r\n"
               "X-Custom: kept\r\n"
               "Host: cpa:8317\r\n"
               "Authorization: Bearer stored-cpa-key\r\n"
               "X-Forwarded-For: 203.0.113.7, 198.51.100.1, 127.0.0.1\r\n"
               "X-Forwarded-Proto: http\r\n"
               "X-Forwarded-Host: panel.example\r\n"
               "X-Codex-Invite-Origin: http://cpa:8317\r\n"
               "Content-Length: 20\r\n"
               "\r\n"
    );
}

TEST_CASE("the upstream head keeps the caller's key and a front proxy's forwarding fields", "[header_rules]")
{
    const auto in = parse_request_head("GET /v1/models HTTP/1.0\r\n"
                                       "Authorization: Bearer client-key\r\n"
                                       "X-Forwarded-Proto: https\r\n"
                                       "X-Forwarded-Host: api.example\r\n"
                                       "\r\n");
    std::string out;
    append_upstream_head(in, upstream_head{"/v1/models", "cpa:8317", "10.0.0.2"}, out);
    end_head(body_framing{}, out);
    CHECK(
        out == "GET /v1/models HTTP/1.1\r\n"
               "Authorization: Bearer client-key\r\n"
               "X-Forwarded-Proto: https\r\n"
               "X-Forwarded-Host: api.example\r\n"
               "Host: cpa:8317\r\n"
               "X-Forwarded-For: 10.0.0.2\r\n"
               "\r\n"
    );
}

TEST_CASE("the upstream head without the client's chain and with dropped headers", "[header_rules]")
{
    const auto in = parse_request_head("GET /v0/management/my-plugin/x HTTP/1.1\r\n"
                                       "Host: panel.example\r\n"
                                       "Authorization: Bearer stored-cpa-key\r\n"
                                       "X-Forwarded-For: 127.0.0.1\r\n"
                                       "X-Real-IP: 127.0.0.1\r\n"
                                       "Forwarded: for=127.0.0.1\r\n"
                                       "x-management-key: cpamp_the-admin-key\r\n"
                                       "X-Custom: kept\r\n"
                                       "\r\n");
    const std::vector<std::string> drop = {"X-Management-Key"};
    upstream_head u{"/v0/management/my-plugin/x", "cpa:8317", "198.51.100.4"};
    u.drop_headers = drop;
    u.client_chain = false;
    std::string out;
    append_upstream_head(in, u, out);
    end_head(body_framing{}, out);
    CHECK(
        out == "GET /v0/management/my-plugin/x HTTP/1.1\r\n"
               "Authorization: Bearer stored-cpa-key\r\n"
               "X-Custom: kept\r\n"
               "Host: cpa:8317\r\n"
               "X-Forwarded-For: 198.51.100.4\r\n"
               "X-Forwarded-Proto: http\r\n"
               "X-Forwarded-Host: panel.example\r\n"
               "\r\n"
    );
}

TEST_CASE("the client head: CPA's fields pass, hop fields and replaced CORS fields do not", "[header_rules]")
{
    const auto in = parse_response_head("HTTP/1.1 201 Created\r\n"
                                        "Content-Type: application/json\r\n"
                                        "Transfer-Encoding: chunked\r\n"
                                        "Connection: keep-alive, X-Upstream-Hop\r\n"
                                        "X-Upstream-Hop: 1\r\n"
                                        "X-CPA-VERSION: 7.2.140\r\n"
                                        "Access-Control-Allow-Origin: https://cpa.example\r\n"
                                        "Access-Control-Allow-Methods: GET\r\n"
                                        "Vary: Accept-Encoding\r\n"
                                        "\r\n");
    const std::vector<std::string> allowed = {"https://panel.example"};

    std::string echoed;
    append_client_head(
        in, client_head{true, true, cpamd::http::cors_for("https://panel.example", allowed)}, echoed
    );
    CHECK(
        echoed == "HTTP/1.1 201 Created\r\n"
                  "Content-Type: application/json\r\n"
                  "X-CPA-VERSION: 7.2.140\r\n"
                  "Access-Control-Allow-Origin: https://panel.example\r\n"
                  "Vary: Origin\r\n"
                  "Access-Control-Allow-Methods: GET, POST, PUT, PATCH, DELETE, OPTIONS\r\n"
                  "Access-Control-Allow-Headers: Authorization, Content-Type\r\n"
                  "Transfer-Encoding: chunked\r\n"
                  "\r\n"
    );

    // Another origin: CPA's own Allow-Origin stays, ours is not added, Vary says Origin; the client
    // asked to close.
    std::string other;
    append_client_head(
        in, client_head{false, false, cpamd::http::cors_for("https://elsewhere.example", allowed)}, other
    );
    CHECK(
        other == "HTTP/1.1 201 Created\r\n"
                 "Content-Type: application/json\r\n"
                 "X-CPA-VERSION: 7.2.140\r\n"
                 "Access-Control-Allow-Origin: https://cpa.example\r\n"
                 "Vary: Origin\r\n"
                 "Access-Control-Allow-Methods: GET, POST, PUT, PATCH, DELETE, OPTIONS\r\n"
                 "Access-Control-Allow-Headers: Authorization, Content-Type\r\n"
                 "Connection: close\r\n"
                 "\r\n"
    );

    // CORS off: nothing of ours, CPA's as they are.
    std::string off;
    append_client_head(in, client_head{true, false, cpamd::http::cors_for("https://panel.example", {})}, off);
    CHECK(
        off.find("Access-Control-Allow-Origin: https://cpa.example\r\nAccess-Control-Allow-Methods: GET\r\n"
        ) != std::string::npos
    );
}
