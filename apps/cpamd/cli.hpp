#pragma once

// Command-line parsing: `cpamd [--config FILE] [COMMAND] [OPTIONS]`, COMMAND defaulting to serve.

#include <cpamd/core/config.hpp>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace cpamd::app
{

struct invocation
{
    std::string command = "serve";
    std::optional<std::filesystem::path> config_file;
    std::vector<std::string> args; // what follows the command, for the command to read
    bool help = false;
};

// Returns nullopt and prints a one-line error on unknown global options.
std::optional<invocation> parse_command_line(int argc, char** argv);

// The configuration the invocation names (env > config.json > defaults). An invalid one prints
// its one-line error to stderr and gives nullopt (the command then exits 2).
std::optional<loaded_config> load_config_or_report(const invocation& inv);

// Help text for `command` ("" for the overview); empty when there is no such command.
std::string help_text(const std::string& command);

} // namespace cpamd::app
