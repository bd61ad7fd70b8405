#include "cli.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <fmt/format.h>
#include <string_view>

namespace cpamd::app
{
namespace
{

struct command_help
{
    std::string_view name;
    std::string_view summary;
    std::string_view usage;
};

constexpr std::array commands{
    command_help{"serve", "run the daemon (the default command)", R"(Usage: cpamd [--config FILE] serve

Runs the daemon in the foreground: HTTP server, collector and store. Configuration comes from
the environment, then config.json, then defaults; see `cpamd check-config` and
docs/configuration.md. SIGTERM or SIGINT stops accepting connections, lets requests in flight
finish (at most 10 s) and exits 0.
)"},
    command_help{
        "check-config",
        "print the effective configuration (secrets hidden) and validate it",
        R"(Usage: cpamd [--config FILE] check-config

Prints every setting with its value and where it came from (env, file or default). Secrets are
never printed. Exits 0 when the configuration is valid, 2 when it is not (with a one-line error
naming the variable).
)"},
    command_help{
        "reset-admin-key",
        "replace the admin key offline (the daemon must be stopped)",
        R"(Usage: cpamd [--config FILE] reset-admin-key [--admin-key KEY | --admin-key-file FILE] [--db-path PATH]

Replaces the stored admin credential. Without --admin-key/--admin-key-file a new key is generated
and printed once ("New admin key: cpamp_..."). --db-path defaults to the configured database.
Refuses while a daemon holds the data directory lock, and refuses a missing database.
reset-admin-password is accepted as an alias (upstream name).
)"},
    command_help{
        "import",
        "import usage records from a file offline (the daemon must be stopped)",
        R"(Usage: cpamd [--config FILE] import FILE

Imports every format POST /v0/management/usage/import accepts (export JSONL, raw CPA records,
a JSON array, legacy snapshots). All or nothing: the file is checked first and one malformed
line or item imports nothing. Events already stored are counted as skipped, so running the same
import twice is safe. Prints the result as JSON; a progress bar goes to stderr on a terminal.
Refuses while a daemon holds the data directory lock.
)"},
    command_help{
        "export",
        "export stored usage events as JSONL offline (the daemon must be stopped)",
        R"(Usage: cpamd [--config FILE] export [--out FILE] [--from MS] [--to MS]

Writes every stored event (or those with from <= time < to, in Unix milliseconds) oldest first,
one JSON object per line, in the format of GET /v0/management/usage/export, to FILE (written
as FILE.partial, then renamed) or stdout. Refuses while a daemon holds the data directory lock.
)"},
    command_help{
        "backup",
        "copy the database while the daemon runs (SQLite online backup)",
        R"(Usage: cpamd [--config FILE] backup --out FILE [--no-data-key]

Copies the configured database to FILE with SQLite's online backup API: a consistent copy as of
one moment, taken while the daemon keeps collecting. FILE is written as FILE.partial, synced and
renamed, with mode 0600; an existing FILE is refused. When the data key is the generated
data.key, it is copied to FILE.data.key (mode 0600) unless --no-data-key: without it the stored
CPA management key cannot be decrypted. Keep that file apart from the backup. Prints the event
count of the copy. See docs/backup.md.
)"},
    command_help{
        "restore",
        "replace the database by a backup (the daemon must be stopped)",
        R"(Usage: cpamd [--config FILE] restore FILE

Checks FILE (integrity, schema version), then puts a copy of it in place of the configured
database. The previous database and its -wal/-shm move aside to <db>.before-restore-<UTC time>.
FILE.data.key, when present, is installed as the data key if none exists; a different existing
data key is refused (nothing is changed). Refuses while a daemon holds the database lock.
)"},
    command_help{"version", "print the version", R"(Usage: cpamd version

Prints the cpamd version and the versions of the libraries it was built with.
)"},
};

} // namespace

std::optional<invocation> parse_command_line(int argc, char** argv)
{
    invocation inv;
    bool have_command = false;
    for (int i = 1; i < argc; ++i)
    {
        std::string_view a = argv[i];
        if (!have_command && (a == "--config" || a.starts_with("--config=")))
        {
            if (a == "--config")
            {
                if (i + 1 >= argc)
                {
                    fmt::print(stderr, "cpamd: --config needs a file name\n");
                    return std::nullopt;
                }
                inv.config_file = argv[++i];
            }
            else
                inv.config_file = std::string(a.substr(9));
        }
        else if (a == "--help" || a == "-h" || a == "help")
        {
            inv.help = true;
            if (a == "help" && i + 1 < argc && !have_command)
            {
                inv.command = argv[++i];
                have_command = true;
            }
            else if (!have_command)
                inv.command.clear();
        }
        else if (a == "--version" && !have_command)
        {
            inv.command = "version";
            have_command = true;
        }
        else if (!have_command && !a.starts_with("-"))
        {
            inv.command = std::string(a);
            have_command = true;
        }
        else if (have_command)
            inv.args.emplace_back(a);
        else
        {
            fmt::print(stderr, "cpamd: unknown option {} (see cpamd --help)\n", a);
            return std::nullopt;
        }
    }
    return inv;
}

std::string help_text(const std::string& command)
{
    if (command.empty())
    {
        std::string out = "Usage: cpamd [--config FILE] [COMMAND] [OPTIONS]\n\n"
                          "cpamd collects CLI Proxy API usage into SQLite, serves analytics and the\n"
                          "management panel, and proxies CPA's management API.\n\nCommands:\n";
        // The widest name sets the column, with two spaces before each summary.
        std::size_t width = 0;
        for (const auto& c : commands)
            width = std::max(width, c.name.size());
        for (const auto& c : commands)
            out += fmt::format("  {:<{}}  {}\n", c.name, width, c.summary);
        out += "\nRun `cpamd COMMAND --help` for a command's options.\n";
        return out;
    }
    for (const auto& c : commands)
        if (c.name == command)
            return std::string(c.usage);
    return {};
}

std::optional<loaded_config> load_config_or_report(const invocation& inv)
{
    auto result = load_config(process_config_inputs(inv.config_file));
    if (result.error)
    {
        fmt::print(stderr, "cpamd: invalid configuration: {}\n", result.error->to_string());
        return std::nullopt;
    }
    return std::move(result.ok);
}

} // namespace cpamd::app
