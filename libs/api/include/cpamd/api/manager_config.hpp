#pragma once

// The manager configuration (settings `manager_config_v1`, spec manager-api §5.5) and the legacy
// `setup` row: parsing, Go-like merging, resolution against the environment, and the JSON forms
// stored (key encrypted) and shown (key masked, our deviation: docs/compatibility.md).

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cpamd/core/api_error.hpp>
#include <cpamd/core/config.hpp>
#include <cpamd/security/secret_box.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cpamd::api
{

inline constexpr std::string_view manager_config_key = "manager_config_v1";
inline constexpr std::string_view setup_key = "setup";

struct collector_settings
{
    bool enabled = true;
    std::string mode = "auto";
    std::string queue = "usage";
    std::string pop_side = "right";
    int batch_size = 100;
    int poll_interval_ms = 500;
    int query_limit = 50000;
    bool tls_skip_verify = false;
};

struct manager_config
{
    std::string cpa_base_url;   // normalized
    std::string management_key; // plaintext in memory only; secret, never logged
    collector_settings collector;
    boost::json::value codex_inspection; // non-core: stored and returned as sent
    std::int64_t updated_at_ms = 0;

    bool connected() const { return !cpa_base_url.empty() && !management_key.empty(); }
};

// What a client (or a stored row) supplies: empty/0/absent means "keep the current value",
// except tls_skip_verify, which is always taken (upstream behaviour).
struct submitted_config
{
    std::string cpa_base_url;
    std::string management_key;
    std::optional<bool> enabled;
    std::string mode, queue, pop_side;
    int batch_size = 0, poll_interval_ms = 0, query_limit = 0;
    bool tls_skip_verify = false;
    std::optional<boost::json::value> codex_inspection;
    std::int64_t updated_at_ms = 0;
};

// Parses the §5.5 config object. A field of the wrong type is an error (400), as Go's decoder.
std::optional<api_error> parse_submitted_config(const boost::json::object& o, submitted_config& out);

manager_config default_manager_config(const config& cfg);
// The upstream's merge: connection fields only when non-empty, collector fields when set/positive.
manager_config merge_config(manager_config base, const submitted_config& s);
// True when the connection or any collector setting differs (what env-managed forbids).
bool connection_differs(const manager_config& a, const manager_config& b);

std::string normalize_pop_side(std::string_view v, std::string_view fallback);
std::string normalize_collector_mode(std::string_view v);

// Stored JSON (key encrypted with `box`).
std::string serialize_stored_config(const manager_config& c, const security::secret_box& box);
std::string serialize_setup_row(const manager_config& c, const security::secret_box& box);
// The public form for GET/PUT replies: key masked, empty optional fields left out.
boost::json::object public_config(const manager_config& c);

struct resolved_config
{
    manager_config value;
    std::string source;         // "", "db" or "env"
    bool undecryptable = false; // a stored key could not be decrypted (and was left empty)
};

// defaults <- manager_config_v1 <- legacy setup (when no DB connection) <- env pair. A stored key
// that cannot be decrypted is an error unless `tolerate_undecryptable` (then it reads as empty so
// a new key can replace it).
struct resolve_outcome
{
    std::optional<resolved_config> ok;
    std::optional<api_error> error;
};
resolve_outcome resolve_manager_config(
    const config& cfg,
    const std::optional<std::string>& stored_config,
    const std::optional<std::string>& stored_setup,
    const security::secret_box& box,
    bool tolerate_undecryptable
);

} // namespace cpamd::api
