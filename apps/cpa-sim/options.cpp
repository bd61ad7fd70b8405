#include "options.hpp"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fmt/format.h>
#include <string_view>

namespace cpamd::sim
{
namespace
{

constexpr std::string_view help_text =
    R"(cpa-sim: a CLIProxyAPI (CPA) simulator for tests (see docs/cpa-sim.md)

Usage: cpa-sim --listen HOST:PORT --management-key KEY [options]

Serves HTTP and RESP on one port (first byte * $ + - : means RESP), like CPA.

Required:
  --listen HOST:PORT              address to listen on; port 0 picks a free port. When ready,
                                  prints "cpa-sim listening on HOST:PORT" to stderr.
  --management-key KEY            the management key (remote-management.secret-key)
Management and clients:
  --client-key KEY                client API key for /v1/models and /models (default: open)
  --allow-remote                  accept management calls from non-loopback clients
  --usage-statistics-enabled B    true|false, default false (like CPA)
  --retention-seconds S           redis-usage-queue-retention-seconds (default 60, <=0 -> 60, max 3600)
  --cpa-version V                 value of X-CPA-VERSION (default 7.2.140)
Traffic generator:
  --rate R                        generated usage records per second (default 0 = off)
  --total N                       stop generating after N records
  --seed S                        deterministic generator seed (default 1)
  --ledger FILE                   append one JSON line per record event (format: docs/cpa-sim.md)
TLS:
  --tls                           serve TLS with a self-signed certificate made at start
  --tls-cert-out FILE             where to write that certificate (PEM; default <tmp>/cpa-sim-cert.pem)
Control and faults:
  --control-key KEY               enable the /_sim control API on loopback (Bearer KEY)
  --subscriber-buffer N           messages buffered per subscriber before disconnect (default 256)
  --sniff-timeout-ms MS           first-byte deadline (default 10000)
  --delay-ms MS                   delay every management response
  --fail-500 N                    answer the next N management requests with 500 (-1 = always)
  --drop-mid-response N           cut the next N management responses mid-body (-1 = always)
  --old-cpa                       behave like CPA < v6.10.8: no usage-queue endpoint (404)
  --resp-disabled                 behave like v7.1.17: "-ERR RESP AUTH disabled; use mTLS"
  --paused                        start with the generator paused
  --help                          this text
SIGTERM and SIGINT exit 0.
)";

bool parse_bool(std::string_view s, bool& out)
{
    if (s == "true" || s == "1" || s == "yes")
        out = true;
    else if (s == "false" || s == "0" || s == "no")
        out = false;
    else
        return false;
    return true;
}

template <class T>
bool parse_number(const std::string& s, T& out)
{
    try
    {
        std::size_t used = 0;
        if constexpr (std::is_same_v<T, double>)
            out = std::stod(s, &used);
        else if constexpr (std::is_signed_v<T>)
            out = static_cast<T>(std::stoll(s, &used));
        else
        {
            if (!s.empty() && s[0] == '-')
                return false;
            out = static_cast<T>(std::stoull(s, &used));
        }
        return used == s.size();
    }
    catch (const std::exception&)
    {
        return false;
    }
}

} // namespace

int normalise_retention(long long seconds)
{
    if (seconds <= 0)
        return 60;
    if (seconds > 3600)
        return 3600;
    return static_cast<int>(seconds);
}

std::optional<options> parse_options(int argc, char** argv)
{
    options o;
    bool have_listen = false;
    bool have_key = false;
    auto fail = [](const std::string& msg) -> std::optional<options>
    {
        fmt::print(stderr, "cpa-sim: {} (see --help)\n", msg);
        return std::nullopt;
    };
    for (int i = 1; i < argc; ++i)
    {
        std::string a = argv[i];
        auto next = [&](std::string& v)
        {
            if (i + 1 >= argc)
                return false;
            v = argv[++i];
            return true;
        };
        std::string v;
        if (a == "--help" || a == "-h")
        {
            std::fwrite(help_text.data(), 1, help_text.size(), stdout);
            std::exit(0);
        }
        else if (a == "--tls")
            o.tls = true;
        else if (a == "--allow-remote")
            o.allow_remote = true;
        else if (a == "--old-cpa")
            o.old_cpa = true;
        else if (a == "--resp-disabled")
            o.resp_disabled = true;
        else if (a == "--paused")
            o.paused = true;
        else if (!next(v))
            return fail("unknown option or missing value: " + a);
        else if (a == "--listen")
        {
            auto colon = v.rfind(':');
            if (colon == std::string::npos || !parse_number(v.substr(colon + 1), o.listen_port))
                return fail("--listen wants HOST:PORT");
            o.listen_host = v.substr(0, colon);
            if (o.listen_host.size() > 2 && o.listen_host.front() == '[' && o.listen_host.back() == ']')
                o.listen_host = o.listen_host.substr(1, o.listen_host.size() - 2);
            have_listen = true;
        }
        else if (a == "--management-key")
        {
            o.management_key = v;
            have_key = true;
        }
        else if (a == "--client-key")
            o.client_key = v;
        else if (a == "--control-key")
            o.control_key = v;
        else if (a == "--ledger")
            o.ledger_path = v;
        else if (a == "--tls-cert-out")
            o.tls_cert_out = v;
        else if (a == "--cpa-version")
            o.cpa_version = v;
        else if (a == "--usage-statistics-enabled")
        {
            if (!parse_bool(v, o.usage_statistics_enabled))
                return fail("--usage-statistics-enabled wants true|false");
        }
        else if (a == "--rate")
        {
            if (!parse_number(v, o.rate) || o.rate < 0)
                return fail("--rate wants a number >= 0");
        }
        else if (a == "--total")
        {
            std::uint64_t t = 0;
            if (!parse_number(v, t))
                return fail("--total wants a count");
            o.total = t;
        }
        else if (a == "--seed")
        {
            if (!parse_number(v, o.seed))
                return fail("--seed wants an unsigned integer");
        }
        else if (a == "--retention-seconds")
        {
            long long r = 0;
            if (!parse_number(v, r))
                return fail("--retention-seconds wants an integer");
            o.retention_seconds = normalise_retention(r);
        }
        else if (a == "--subscriber-buffer")
        {
            if (!parse_number(v, o.subscriber_buffer) || o.subscriber_buffer == 0)
                return fail("--subscriber-buffer wants a positive count");
        }
        else if (a == "--sniff-timeout-ms")
        {
            if (!parse_number(v, o.sniff_timeout_ms) || o.sniff_timeout_ms <= 0)
                return fail("--sniff-timeout-ms wants a positive integer");
        }
        else if (a == "--delay-ms")
        {
            if (!parse_number(v, o.delay_ms) || o.delay_ms < 0)
                return fail("--delay-ms wants an integer >= 0");
        }
        else if (a == "--fail-500")
        {
            if (!parse_number(v, o.fail_500))
                return fail("--fail-500 wants an integer");
        }
        else if (a == "--drop-mid-response")
        {
            if (!parse_number(v, o.drop_mid_response))
                return fail("--drop-mid-response wants an integer");
        }
        else
            return fail("unknown option: " + a);
    }
    if (!have_listen)
        return fail("--listen is required");
    if (!have_key || o.management_key.empty())
        return fail("--management-key is required");
    if (o.tls && o.tls_cert_out.empty())
        o.tls_cert_out = (std::filesystem::temp_directory_path() / "cpa-sim-cert.pem").string();
    return o;
}

} // namespace cpamd::sim
