#pragma once

// Finding and loading collector plugins (docs/collector.md "Plugins").
// Search order: USAGE_PLUGIN_DIR (config plugin_dir) when set, else <exe dir>/../lib/cpamd/plugins,
// else /usr/lib/cpamd/plugins. Every *.so there is dlopen'ed (RTLD_NOW | RTLD_LOCAL) once per
// process and never unloaded; a plugin whose descriptor differs from the host's in any field is
// refused with one log line naming the file and the field.

#include <cpamd/collector_api/collector.hpp>
#include <filesystem>
#include <string>
#include <vector>

namespace cpamd::collector
{

struct loaded_plugin
{
    std::string name; // transport: "http", "resp", "subscribe"
    std::filesystem::path file;
    const collector_api::collector_descriptor* descriptor = nullptr;
};

// The directory plugins are loaded from: `configured` if not empty, else the first existing of
// the defaults. Empty when none exists.
std::filesystem::path plugin_directory(const std::filesystem::path& configured);

// Loads every plugin in `dir` (idempotent: a file already loaded is not opened again) and
// returns the accepted ones, one per transport name (the first file wins). Logs what it loaded
// and what it refused.
std::vector<loaded_plugin> load_plugins(const std::filesystem::path& dir);

// Why `d` cannot be used by this host ("" if it can): names the first differing field.
std::string descriptor_mismatch(const collector_api::collector_descriptor& d);

} // namespace cpamd::collector
