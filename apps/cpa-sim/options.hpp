#pragma once

// Command line of cpa-sim. The flags are a contract with the test suites (docs/cpa-sim.md).

#include <cstdint>
#include <optional>
#include <string>

namespace cpamd::sim
{

struct options
{
    std::string listen_host = "127.0.0.1";
    std::uint16_t listen_port = 8317;
    std::string management_key;
    std::string client_key;             // empty: /v1/models is open, like CPA without api-keys
    bool allow_remote = false;          // remote-management.allow-remote
    double rate = 0;                    // generated events per second (0 = generator off)
    std::optional<std::uint64_t> total; // stop generating after this many
    std::uint64_t seed = 1;
    std::string ledger_path;
    int retention_seconds = 60; // normalised: <=0 -> 60, >3600 -> 3600
    bool tls = false;
    std::string tls_cert_out; // PEM written here when --tls
    std::string control_key;  // empty: /_sim control API disabled (404)
    bool usage_statistics_enabled = false;
    std::string cpa_version = "7.2.140";
    std::size_t subscriber_buffer = 256;
    int sniff_timeout_ms = 10000;
    // Faults available from the start (the control API changes them later).
    int delay_ms = 0;
    int fail_500 = 0;          // next N management responses are 500 (-1 = all)
    int drop_mid_response = 0; // next N management responses are cut mid-body (-1 = all)
    bool old_cpa = false;
    bool resp_disabled = false;
    bool paused = false;
};

// Normalises a retention value the way CPA's config loader does.
int normalise_retention(long long seconds);

// Parses argv. Returns nullopt and prints to stderr on error; prints help and exits 0 on --help.
std::optional<options> parse_options(int argc, char** argv);

} // namespace cpamd::sim
