#pragma once

// The `settings` table: key -> JSON text, as the upstream stores it (setup, manager_config_v1,
// admin_credential_v1, bootstrap_state_v1, ...). Writes must run on the writer thread
// (event_writer::post_task or store::write_sync); reads on any connection.

#include <cpamd/store/sqlite.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cpamd::store
{

std::optional<std::string> read_setting(connection& db, std::string_view key);
void write_setting(connection& db, std::string_view key, std::string_view json_value, std::int64_t now_ms);
void delete_setting(connection& db, std::string_view key);

} // namespace cpamd::store
