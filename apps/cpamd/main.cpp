#include "backup.hpp"
#include "cli.hpp"
#include "commands.hpp"
#include "import_export.hpp"
#include "reset_admin_key.hpp"

#include <cstdio>
#include <fmt/format.h>

int main(int argc, char** argv)
{
    using namespace cpamd::app;
    auto inv = parse_command_line(argc, argv);
    if (!inv)
        return 2;
    if (inv->help)
    {
        auto text = help_text(inv->command);
        if (text.empty())
        {
            fmt::print(stderr, "cpamd: unknown command {} (see cpamd --help)\n", inv->command);
            return 2;
        }
        fmt::print("{}", text);
        return 0;
    }
    if (inv->command == "serve")
        return run_serve(*inv);
    if (inv->command == "reset-admin-key" || inv->command == "reset-admin-password")
        return run_reset_admin_key(*inv);
    if (inv->command == "import")
        return run_import(*inv);
    if (inv->command == "export")
        return run_export(*inv);
    if (inv->command == "backup")
        return run_backup(*inv);
    if (inv->command == "restore")
        return run_restore(*inv);
    if (inv->command == "check-config")
        return run_check_config(*inv);
    if (inv->command == "version")
        return run_version(*inv);
    fmt::print(stderr, "cpamd: unknown command {} (see cpamd --help)\n", inv->command);
    return 2;
}
