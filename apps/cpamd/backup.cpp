#include "backup.hpp"

#include <cpamd/core/config.hpp>
#include <cpamd/ops/backup.hpp>
#include <cpamd/store/lock_file.hpp>
#include <cstdio>
#include <fmt/format.h>
#include <fstream>
#include <optional>
#include <sstream>
#include <sys/stat.h>
#include <unistd.h>

namespace cpamd::app
{
namespace
{

namespace fs = std::filesystem;

fs::path key_beside(const fs::path& backup)
{
    return backup.string() + ".data.key";
}

std::optional<std::string> read_trimmed(const fs::path& p)
{
    std::ifstream in(p, std::ios::binary);
    if (!in)
        return std::nullopt;
    std::ostringstream ss;
    ss << in.rdbuf();
    auto s = ss.str();
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' '))
        s.pop_back();
    return s;
}

// Copies a key file with mode 0600 (created fresh: an existing target is an error).
bool copy_key(const fs::path& from, const fs::path& to, std::string& why)
{
    std::error_code ec;
    fs::copy_file(from, to, fs::copy_options::none, ec);
    if (ec)
    {
        why = fmt::format("cannot copy {} to {}: {}", from.string(), to.string(), ec.message());
        return false;
    }
    ::chmod(to.c_str(), 0600);
    return true;
}

// As root, files we create in the data directory go to its owner (the service user), or the
// daemon could not open them.
void give_to_data_dir_owner(const fs::path& data_dir, const std::vector<fs::path>& files)
{
    struct stat st
    {
    };
    if (::geteuid() != 0 || ::stat(data_dir.c_str(), &st) != 0)
        return;
    for (const auto& f : files)
        if (::chown(f.c_str(), st.st_uid, st.st_gid) != 0)
            fmt::print(stderr, "cpamd restore: warning: cannot chown {}\n", f.string());
}

struct backup_args
{
    fs::path out;
    bool with_key = true;
};

std::optional<backup_args> parse_backup_args(const invocation& inv)
{
    backup_args a;
    for (std::size_t i = 0; i < inv.args.size(); ++i)
    {
        const auto& arg = inv.args[i];
        if (arg == "--out" && i + 1 < inv.args.size())
            a.out = inv.args[++i];
        else if (arg.starts_with("--out="))
            a.out = arg.substr(6);
        else if (arg == "--no-data-key")
            a.with_key = false;
        else
        {
            fmt::print(stderr, "cpamd backup: unexpected argument {} (see cpamd backup --help)\n", arg);
            return std::nullopt;
        }
    }
    if (a.out.empty())
    {
        fmt::print(stderr, "cpamd backup: --out FILE is required (see cpamd backup --help)\n");
        return std::nullopt;
    }
    return a;
}

} // namespace

int run_backup(const invocation& inv)
{
    auto args = parse_backup_args(inv);
    if (!args)
        return 2;
    auto loaded = load_config_or_report(inv);
    if (!loaded)
        return 2;
    const config* cfg = &loaded->value;
    std::error_code ec;
    if (fs::exists(args->out, ec) || fs::exists(key_beside(args->out), ec))
    {
        fmt::print(stderr, "cpamd backup: {} already exists; choose another name\n", args->out.string());
        return 1;
    }
    try
    {
        auto info = ops::backup_database(cfg->db_path, args->out);
        auto events = ops::verify_backup(args->out);
        fmt::print(
            "backup written: {} ({} events, {} bytes, {} ms)\n",
            args->out.string(),
            events,
            info.bytes,
            info.took.count()
        );
    }
    catch (const std::exception& e)
    {
        fmt::print(stderr, "cpamd backup: {}\n", e.what());
        return 1;
    }
    // The stored CPA management key is encrypted with the data key: a backup without it cannot
    // give that secret back.
    if (!cfg->data_key.empty())
        fmt::print(
            "data key: set by CPA_MANAGER_DATA_KEY or a secret file, so not copied; keep it with the backup\n"
        );
    else if (!args->with_key)
        fmt::print(
            "data key: not copied (--no-data-key); {} is needed to restore it\n", cfg->data_key_path.string()
        );
    else if (fs::exists(cfg->data_key_path, ec))
    {
        std::string why;
        if (!copy_key(cfg->data_key_path, key_beside(args->out), why))
        {
            fmt::print(stderr, "cpamd backup: {}\n", why);
            return 1;
        }
        fmt::print(
            "data key copied to {} (mode 0600): store it apart from the backup, as safely as a password\n",
            key_beside(args->out).string()
        );
    }
    return 0;
}

int run_restore(const invocation& inv)
{
    if (inv.args.size() != 1 || inv.args[0].starts_with("-"))
    {
        fmt::print(stderr, "cpamd restore: expected exactly one backup FILE (see cpamd restore --help)\n");
        return 2;
    }
    const fs::path backup = inv.args[0];
    auto loaded = load_config_or_report(inv);
    if (!loaded)
        return 2;
    const config* cfg = &loaded->value;
    std::error_code ec;
    fs::create_directories(cfg->db_path.parent_path(), ec);
    std::string why;
    auto lock = store::lock_file::acquire(cfg->db_path, why);
    if (!lock)
    {
        fmt::print(stderr, "cpamd restore: {}; stop the daemon first (systemctl stop cpamd)\n", why);
        return 1;
    }

    // Decide about the data key before touching the database, so a mismatch changes nothing.
    const auto backup_key = key_beside(backup);
    bool install_key = false;
    if (cfg->data_key.empty() && fs::exists(backup_key, ec))
    {
        auto theirs = read_trimmed(backup_key);
        auto ours = read_trimmed(cfg->data_key_path);
        if (!theirs)
        {
            fmt::print(stderr, "cpamd restore: cannot read {}\n", backup_key.string());
            return 1;
        }
        if (ours && *ours != *theirs)
        {
            fmt::print(
                stderr,
                "cpamd restore: {} differs from the backup's {}; the stored CPA management key would not "
                "decrypt. Move {} away to use the backup's key, or delete {} to keep yours.\n",
                cfg->data_key_path.string(),
                backup_key.string(),
                cfg->data_key_path.string(),
                backup_key.string()
            );
            return 1;
        }
        install_key = !ours;
    }

    try
    {
        auto r = ops::restore_database(backup, cfg->db_path);
        std::vector<fs::path> created{cfg->db_path};
        if (install_key)
        {
            if (!copy_key(backup_key, cfg->data_key_path, why))
            {
                fmt::print(stderr, "cpamd restore: {}\n", why);
                return 1;
            }
            created.push_back(cfg->data_key_path);
        }
        give_to_data_dir_owner(cfg->db_path.parent_path(), created);
        fmt::print("restored {} events from {} into {}\n", r.events, backup.string(), cfg->db_path.string());
        if (!r.previous.empty())
            fmt::print("the previous database is kept as {}\n", r.previous.string());
        if (install_key)
            fmt::print("data key restored to {}\n", cfg->data_key_path.string());
    }
    catch (const std::exception& e)
    {
        fmt::print(stderr, "cpamd restore: {}\n", e.what());
        return 1;
    }
    return 0;
}

} // namespace cpamd::app
