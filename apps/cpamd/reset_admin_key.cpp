#include "reset_admin_key.hpp"

#include <chrono>
#include <cpamd/core/config.hpp>
#include <cpamd/security/admin_key.hpp>
#include <cpamd/security/credential.hpp>
#include <cpamd/security/text.hpp>
#include <cpamd/store/lock_file.hpp>
#include <cpamd/store/settings.hpp>
#include <cpamd/store/sqlite.hpp>
#include <cstdio>
#include <fmt/format.h>
#include <fstream>
#include <sstream>

namespace cpamd::app
{
namespace
{

struct reset_options
{
    std::optional<std::string> admin_key; // secret
    std::optional<std::filesystem::path> admin_key_file;
    std::optional<std::filesystem::path> db_path;
};

// Accepts "--name value" and "--name=value". Returns false after printing a usage error.
bool parse_options(const std::vector<std::string>& args, reset_options& out)
{
    for (std::size_t i = 0; i < args.size(); ++i)
    {
        std::string_view a = args[i];
        std::string name(a.substr(0, a.find('=')));
        std::optional<std::string> value;
        if (a.find('=') != std::string_view::npos)
            value = std::string(a.substr(a.find('=') + 1));
        else if (i + 1 < args.size())
            value = args[++i];
        if (name != "--admin-key" && name != "--admin-key-file" && name != "--db-path")
        {
            fmt::print(
                stderr, "cpamd reset-admin-key: unknown option {} (see cpamd reset-admin-key --help)\n", name
            );
            return false;
        }
        if (!value)
        {
            fmt::print(stderr, "cpamd reset-admin-key: {} needs a value\n", name);
            return false;
        }
        if (name == "--admin-key")
            out.admin_key = std::move(*value);
        else if (name == "--admin-key-file")
            out.admin_key_file = std::move(*value);
        else
            out.db_path = std::move(*value);
    }
    if (out.admin_key && out.admin_key_file)
    {
        fmt::print(stderr, "cpamd reset-admin-key: use either --admin-key or --admin-key-file\n");
        return false;
    }
    return true;
}

std::int64_t now_ms()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch()
    )
        .count();
}

bool has_table(store::connection& c, std::string_view name)
{
    auto s = c.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1");
    s.bind(1, name);
    return s.step();
}

} // namespace

int run_reset_admin_key(const invocation& inv)
{
    reset_options opts;
    if (!parse_options(inv.args, opts))
        return 2;

    std::filesystem::path db_path;
    if (opts.db_path)
        db_path = *opts.db_path;
    else
    {
        auto loaded = load_config_or_report(inv);
        if (!loaded)
            return 2;
        db_path = loaded->value.db_path;
    }

    security::secret_string key;
    bool generated = false;
    if (opts.admin_key)
        key = security::secret_string(std::move(*opts.admin_key));
    else if (opts.admin_key_file)
    {
        std::ifstream in(*opts.admin_key_file, std::ios::binary);
        if (!in)
        {
            fmt::print(stderr, "cpamd reset-admin-key: cannot read {}\n", opts.admin_key_file->string());
            return 1;
        }
        std::ostringstream content;
        content << in.rdbuf();
        key = security::secret_string(content.str());
    }
    else
    {
        key = security::generate_admin_key();
        generated = true;
    }
    if (security::trim_space(key.view()).empty())
    {
        fmt::print(stderr, "cpamd reset-admin-key: the admin key is empty\n");
        return 2;
    }

    std::error_code ec;
    if (!std::filesystem::is_regular_file(db_path, ec) || std::filesystem::file_size(db_path, ec) == 0)
    {
        fmt::print(stderr, "cpamd reset-admin-key: no database at {}\n", db_path.string());
        return 1;
    }
    std::string why;
    auto lock = store::lock_file::acquire(db_path, why);
    if (!lock)
    {
        fmt::print(stderr, "cpamd reset-admin-key: {} (stop the daemon first)\n", why);
        return 1;
    }

    try
    {
        store::connection db(db_path, store::connection::mode::read_write);
        db.exec("PRAGMA busy_timeout = 5000");
        if (!has_table(db, "settings"))
        {
            fmt::print(
                stderr,
                "cpamd reset-admin-key: {} is not a cpamd database (no settings table)\n",
                db_path.string()
            );
            return 1;
        }
        const auto now = now_ms();
        const auto source =
            generated ? security::credential_source::cli_generated : security::credential_source::cli;
        store::transaction tx(db);
        std::optional<security::admin_credential> current;
        if (auto stored = store::read_setting(db, security::admin_credential_setting_key))
            if (auto parsed = security::parse_admin_credential(*stored))
                current = std::move(*parsed);
        auto next = current ? security::rotate_admin_credential(*current, key.view(), source, now)
                            : security::create_admin_credential(key.view(), source, now);
        if (!next)
        {
            fmt::print(stderr, "cpamd reset-admin-key: {}\n", next.error().message);
            return 1;
        }
        store::write_setting(
            db, security::admin_credential_setting_key, security::serialize_admin_credential(*next), now
        );
        tx.commit();
    }
    catch (const std::exception& e)
    {
        fmt::print(stderr, "cpamd reset-admin-key: {}\n", e.what());
        return 1;
    }

    if (generated)
        fmt::print("New admin key: {}\n", key.view());
    else
        fmt::print("Admin key reset.\n");
    return 0;
}

} // namespace cpamd::app
