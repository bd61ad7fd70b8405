#pragma once

// What the daemon knows about setup between requests: the bootstrap record
// (`bootstrap_state_v1`, spec manager-api §7), whether a CPA connection is resolved, and the
// secret box that encrypts stored keys. Loaded by bootstrap before the server listens; updated by
// /setup and PUT /usage-service/config (the only writers while the daemon holds the lock).
// Thread-safe.

#include <atomic>
#include <cpamd/api/system_routes.hpp>
#include <cpamd/security/secret_box.hpp>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace cpamd::api
{

inline constexpr std::string_view bootstrap_state_key = "bootstrap_state_v1";

// A resolved connection to CPA: what the collector, the checks and the proxy talk to.
struct cpa_connection
{
    std::string base_url; // normalized
    std::string key;      // secret; empty when a stored key could not be decrypted
    bool tls_skip_verify = false;
};

struct bootstrap_state
{
    std::string status = "fresh"; // fresh | needs_setup | ready | migrated
    bool admin_ready = false;
    bool project_initialized = false;
    bool data_key_ready = false;
    bool migrated_legacy = false;
    bool has_historical_data = false;
    std::int64_t updated_at_ms = 0;
};

std::string serialize_bootstrap_state(const bootstrap_state& s);
// Missing fields read as false/0; nullopt if the text is not a JSON object.
std::optional<bootstrap_state> parse_bootstrap_state(std::string_view json);
// The upstream's status rule: initialized ? (historical ? migrated : ready) : (historical ? needs_setup :
// fresh).
std::string bootstrap_status(bool initialized, bool historical);

class manager_state
{
public:
    manager_state(
        bootstrap_state b,
        std::optional<cpa_connection> connection,
        std::shared_ptr<const security::secret_box> box
    )
        : bootstrap_(std::move(b)), connection_(std::move(connection)), box_(std::move(box))
    {
    }

    bootstrap_state bootstrap() const;
    void set_bootstrap(bootstrap_state b);

    // The resolved CPA base URL when a connection (URL + key) is resolved, else "".
    std::string upstream() const;
    bool connection_resolved() const { return !upstream().empty(); }
    // The resolved connection, kept in memory so the proxy does not read settings per request.
    std::optional<cpa_connection> connection() const;
    void set_connection(std::optional<cpa_connection> c);
    // Changes whenever set_connection() runs: lets readers keep what they derived from it.
    std::uint64_t connection_version() const { return connection_version_.load(); }

    // Set once before the server starts; immutable afterwards.
    const security::secret_box& box() const { return *box_; }

    // For GET /usage-service/info.
    service_state info() const;

private:
    mutable std::mutex mutex_;
    bootstrap_state bootstrap_;
    std::optional<cpa_connection> connection_;
    std::atomic<std::uint64_t> connection_version_{0};
    std::shared_ptr<const security::secret_box> box_;
};

} // namespace cpamd::api
