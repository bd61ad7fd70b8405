#pragma once

// The API key aliases (table api_key_aliases, written by the alias routes): what every read that
// shows a key by its alias loads once.

#include <cpamd/store/sqlite.hpp>
#include <string>
#include <unordered_map>

namespace cpamd::store
{

using api_key_alias_map = std::unordered_map<std::string, std::string>; // key hash -> alias

api_key_alias_map load_api_key_aliases(connection& db);

} // namespace cpamd::store
