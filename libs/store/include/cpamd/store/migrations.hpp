#pragma once

// Versioned, forward-only schema migrations keyed on PRAGMA user_version. Each migration runs in
// its own transaction together with the version bump, so a crash leaves either the old or the
// new version, never half of one.

#include <cpamd/store/sqlite.hpp>
#include <span>
#include <string_view>

namespace cpamd::store
{

struct migration
{
    int version;          // user_version after it ran
    std::string_view sql; // statements to run
};

// Every migration, oldest first.
std::span<const migration> all_migrations();
int latest_schema_version();

// Brings `db` to the latest version. Throws sqlite_error, or std::runtime_error when the file
// was written by a newer cpamd (its version is above ours).
void migrate(connection& db);
// Brings `db` to `version` only (tests of upgrades from every earlier version).
void migrate_to(connection& db, int version);

} // namespace cpamd::store
