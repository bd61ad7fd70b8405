#include <catch2/catch.hpp>
#include <cpamd/http/cors.hpp>
#include <cpamd/http/reply.hpp>

using namespace cpamd::http;

TEST_CASE("server error replies have the JSON error shape", "[reply]")
{
    auto r = not_found_reply();
    CHECK(r.result_int() == 404);
    CHECK(r[bhttp::field::content_type] == "application/json");
    CHECK(r.body() == "{\"error\":\"404 page not found\",\"code\":\"not_found\"}\n");

    r = method_not_allowed_reply();
    CHECK(r.result_int() == 405);
    CHECK(r.body() == "{\"error\":\"method not allowed\",\"code\":\"method_not_allowed\"}\n");
    CHECK(r.find(bhttp::field::allow) == r.end()); // upstream sends no Allow

    CHECK(header_too_large_reply().result_int() == 431);
    CHECK(body_too_large_reply(10).result_int() == 413);
    CHECK(too_many_connections_reply().result_int() == 503);
    CHECK(bad_request_reply().result_int() == 400);
}

TEST_CASE("CORS follows the configured origins", "[cors]")
{
    response r;
    apply_cors(r, "https://panel.example", {"*"});
    CHECK(r[bhttp::field::access_control_allow_origin] == "*");
    CHECK(r.find(bhttp::field::vary) == r.end()); // "*": the same answer for every origin
    CHECK(r[bhttp::field::access_control_allow_methods] == "GET, POST, PUT, PATCH, DELETE, OPTIONS");
    CHECK(r[bhttp::field::access_control_allow_headers] == "Authorization, Content-Type");

    response exact;
    apply_cors(exact, "https://panel.example", {"https://other.example", "https://panel.example"});
    CHECK(exact[bhttp::field::access_control_allow_origin] == "https://panel.example");
    CHECK(exact[bhttp::field::vary] == "Origin");

    response mismatch;
    apply_cors(mismatch, "https://evil.example", {"https://panel.example"});
    CHECK(mismatch.find(bhttp::field::access_control_allow_origin) == mismatch.end());
    CHECK(mismatch[bhttp::field::vary] == "Origin"); // the answer still depends on the Origin
    CHECK(mismatch[bhttp::field::access_control_allow_methods] == "GET, POST, PUT, PATCH, DELETE, OPTIONS");

    response none;
    apply_cors(none, "https://panel.example", {});
    CHECK(none.find(bhttp::field::access_control_allow_methods) == none.end());
}
