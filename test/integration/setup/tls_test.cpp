// POST /setup against a CPA served over HTTPS: verification on by default (a self-signed
// certificate is refused), trusted through the system's usual SSL_CERT_FILE, or skipped on request.

#include "setup_fixture.hpp"

#include <boost/json/parse.hpp>
#include <catch2/catch.hpp>

using namespace cpamd::test;

namespace
{

std::string https_setup_body(std::uint16_t port, bool skip_verify)
{
    return R"({"cpaBaseUrl":"https://127.0.0.1:)" + std::to_string(port) + R"(","cpaManagementKey":")" +
           sim_management_key + R"(","tlsSkipVerify":)" + (skip_verify ? "true" : "false") + "}";
}

} // namespace

TEST_CASE("setup over HTTPS verifies CPA's certificate", "[setup][tls]")
{
    temp_dir certs;
    const auto cert = certs / "cpa-sim.pem";
    sim_process sim({"--tls", "--tls-cert-out", cert.string(), "--usage-statistics-enabled", "true"});

    SECTION("an untrusted certificate is refused")
    {
        temp_dir dir;
        auto d = start_daemon(dir);
        const std::string admin = generated_admin_key(d->process().output());
        auto r = d->client(std::chrono::seconds(40))
                     .request("POST", "/setup", https_setup_body(sim.port(), false), bearer(admin));
        CHECK(r.status == 502);
        CHECK(boost::json::parse(r.body).at("code").is_string());
    }
    SECTION("trusted through SSL_CERT_FILE")
    {
        temp_dir dir;
        auto d = start_daemon(dir, {{"SSL_CERT_FILE", cert.string()}});
        const std::string admin = generated_admin_key(d->process().output());
        auto r = d->client(std::chrono::seconds(40))
                     .request("POST", "/setup", https_setup_body(sim.port(), false), bearer(admin));
        CHECK(r.status == 200);
    }
    SECTION("verification skipped on request")
    {
        temp_dir dir;
        auto d = start_daemon(dir);
        const std::string admin = generated_admin_key(d->process().output());
        auto r = d->client(std::chrono::seconds(40))
                     .request("POST", "/setup", https_setup_body(sim.port(), true), bearer(admin));
        CHECK(r.status == 200);
    }
}
