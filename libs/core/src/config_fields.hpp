#pragma once

// Internal: the table of settings behind load_config(). One row per setting.

#include <cpamd/core/config.hpp>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace cpamd::detail
{

struct apply_context
{
    std::filesystem::path base_dir; // relative paths resolve against this (cwd for env, file dir for JSON)
    std::vector<std::string>* warnings = nullptr;
    std::string variable; // the name to put in messages
};

struct config_field
{
    config_field_doc doc;
    bool secret = false;
    // Parses `raw` into the config. Returns an error message (without the variable name) on failure.
    std::optional<std::string> (*apply)(config&, std::string_view raw, const apply_context&);
    std::string (*show)(const config&);
};

std::span<const config_field> config_fields();

} // namespace cpamd::detail
