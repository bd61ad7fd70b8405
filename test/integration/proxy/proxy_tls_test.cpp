// HTTPS to CPA: the certificate is verified (trusted through SSL_CERT_FILE), refused when
// untrusted, and skipped only when the connection asks for it.

#include "proxy_fixture.hpp"

#include <catch2/catch.hpp>

using namespace cpamd::test;

TEST_CASE("the proxy speaks HTTPS to a cpa-sim started with --tls")
{
    temp_dir certs;
    const auto cert = certs / "cpa-sim.pem";
    sim_process sim({"--tls", "--tls-cert-out", cert.string()});
    const std::string https = "https://127.0.0.1:" + std::to_string(sim.port());

    SECTION("trusted through SSL_CERT_FILE")
    {
        temp_dir dir;
        auto d = start_proxy_daemon(dir, https, {{"SSL_CERT_FILE", cert.string()}});
        auto c = d->client();
        for (int i = 0; i < 3; ++i) // the second and third reuse the pooled TLS connection
        {
            auto r = c.get("/v0/management/config", admin_headers());
            CHECK(r.status == 200);
            CHECK(parse(r.body).as_object().contains("usage-statistics-enabled"));
        }
        stream_client s(d->port());
        s.send("GET", "/v0/management/sim/download?bytes=3000000", admin_headers());
        REQUIRE(s.read_header() == 200);
        std::uint64_t n = 0;
        while (auto piece = s.read_piece())
            n += piece->size();
        CHECK(n == 3000000);
        stop_daemon(*d);
    }
    SECTION("an untrusted certificate is refused with 502")
    {
        temp_dir dir;
        auto d = start_proxy_daemon(dir, https);
        auto r = d->client().get("/v0/management/config", admin_headers());
        CHECK(r.status == 502);
        CHECK(parse(r.body).at("error").as_string().find("tls:") == 0);
        stop_daemon(*d);
    }
    SECTION("verification skipped when the connection says so")
    {
        temp_dir dir;
        auto d = start_proxy_daemon(dir, https, {{"USAGE_RESP_TLS_SKIP_VERIFY", "true"}});
        CHECK(d->client().get("/v0/management/config", admin_headers()).status == 200);
        stop_daemon(*d);
    }
}
