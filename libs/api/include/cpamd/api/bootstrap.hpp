#pragma once

// Start-up bootstrap (spec manager-api §7 "Bootstrap", §3.1, §3.3), run before the server
// listens: ensure the admin credential (from CPA_MANAGER_ADMIN_KEY or generated and printed once),
// load or create the data key, find historical data, re-save legacy plaintext CPA keys encrypted,
// and write `bootstrap_state_v1`.

#include <cpamd/api/manager_state.hpp>
#include <cpamd/core/config.hpp>
#include <cpamd/security/credential.hpp>
#include <cpamd/store/store.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace cpamd::api
{

struct bootstrap_outcome
{
    security::admin_credential credential;
    std::shared_ptr<manager_state> state;
};

// Returns nullopt and sets `why` (safe to log, no secrets) on a fatal problem: an unusable data
// key file, an unreadable admin credential record, a database error. The only secret ever
// logged is a generated admin key, once, as the upstream does.
std::optional<bootstrap_outcome>
run_bootstrap(const config& cfg, store::store& db, std::int64_t now_ms, std::string& why);

} // namespace cpamd::api
