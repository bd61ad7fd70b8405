#include <cpamd/ops/backup.hpp>
#include <cpamd/store/migrations.hpp>
#include <cpamd/store/sqlite.hpp>
#include <ctime>
#include <fcntl.h>
#include <fmt/format.h>
#include <regex>
#include <stdexcept>
#include <sys/stat.h>
#include <unistd.h>

namespace cpamd::ops
{
namespace
{

namespace fs = std::filesystem;
using store::connection;

[[noreturn]] void fail(std::string message)
{
    throw std::runtime_error(std::move(message));
}

void fsync_path(const fs::path& p, bool directory)
{
    int fd = ::open(p.c_str(), (directory ? O_RDONLY | O_DIRECTORY : O_RDWR) | O_CLOEXEC);
    if (fd < 0)
        fail(fmt::format("cannot open {} to sync it", p.string()));
    bool ok = ::fsync(fd) == 0;
    ::close(fd);
    if (!ok)
        fail(fmt::format("cannot sync {}", p.string()));
}

fs::path parent_or_dot(const fs::path& p)
{
    return p.has_parent_path() ? p.parent_path() : fs::path(".");
}

// The source is opened read-write only so that SQLite can use the WAL index of a database whose
// daemon is stopped; nothing is ever written to it. A file we may only read still works.
connection open_source(const fs::path& source)
{
    if (!fs::exists(source))
        fail(fmt::format("database {} does not exist", source.string()));
    try
    {
        return connection(source, connection::mode::read_write);
    }
    catch (const store::sqlite_error&)
    {
        return connection(source, connection::mode::read_only);
    }
}

// Copies every page of `from` into `to` in one step, so in one read transaction on `from`.
void copy_pages(connection& from, connection& to, const fs::path& source)
{
    sqlite3_backup* b = sqlite3_backup_init(to.handle(), "main", from.handle(), "main");
    if (b == nullptr)
        fail(fmt::format("cannot start the backup of {}: {}", source.string(), sqlite3_errmsg(to.handle())));
    int rc = SQLITE_OK;
    // BUSY/LOCKED only while another connection holds an exclusive lock (a TRUNCATE checkpoint
    // finishing); retry briefly rather than fail a backup over a few milliseconds.
    for (int attempt = 0; attempt < 100; ++attempt)
    {
        rc = sqlite3_backup_step(b, -1);
        if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED)
            break;
        sqlite3_sleep(50);
    }
    sqlite3_backup_finish(b);
    if (rc != SQLITE_DONE)
        fail(fmt::format("backup of {} failed: {}", source.string(), sqlite3_errstr(rc)));
}

// Writes a self-contained copy of `source` to `partial` (no -wal beside it), synced.
void write_copy(const fs::path& source, const fs::path& partial)
{
    std::error_code ec;
    for (const char* suffix : {"", "-journal", "-wal", "-shm"})
        fs::remove(partial.string() + suffix, ec);
    {
        auto from = open_source(source);
        connection to(partial, connection::mode::read_write_create);
        copy_pages(from, to, source);
        to.exec("PRAGMA journal_mode=DELETE");
    }
    ::chmod(partial.c_str(), 0600);
    fsync_path(partial, false);
}

void publish(const fs::path& partial, const fs::path& destination)
{
    std::error_code ec;
    fs::rename(partial, destination, ec);
    if (ec)
        fail(fmt::format("cannot rename {} to {}: {}", partial.string(), destination.string(), ec.message()));
    fsync_path(parent_or_dot(destination), true);
}

std::string utc_stamp(std::chrono::system_clock::time_point t)
{
    std::time_t secs = std::chrono::system_clock::to_time_t(t);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    return fmt::format(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        tm.tm_year + 1900,
        tm.tm_mon + 1,
        tm.tm_mday,
        tm.tm_hour,
        tm.tm_min,
        tm.tm_sec
    );
}

} // namespace

backup_info backup_database(const fs::path& source, const fs::path& destination)
{
    auto started = std::chrono::steady_clock::now();
    auto partial = fs::path(destination.string() + ".partial");
    try
    {
        write_copy(source, partial);
        publish(partial, destination);
    }
    catch (const store::sqlite_error& e)
    {
        std::error_code ec;
        fs::remove(partial, ec);
        fail(fmt::format("backup of {} failed: {}", source.string(), e.what()));
    }
    catch (...)
    {
        std::error_code ec;
        fs::remove(partial, ec);
        throw;
    }
    backup_info info;
    info.bytes = fs::file_size(destination);
    info.took =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
    return info;
}

std::int64_t verify_backup(const fs::path& file)
{
    if (!fs::is_regular_file(file))
        fail(fmt::format("backup {} does not exist", file.string()));
    try
    {
        connection c(file, connection::mode::read_only);
        auto check = c.prepare("PRAGMA quick_check");
        if (!check.step() || check.text(0) != "ok")
            fail(fmt::format("backup {} is damaged (quick_check failed)", file.string()));
        auto version = c.query_int("PRAGMA user_version").value_or(0);
        if (version > store::latest_schema_version())
            fail(fmt::format(
                "backup {} has schema version {}, newer than this cpamd ({}): upgrade cpamd first",
                file.string(),
                version,
                store::latest_schema_version()
            ));
        if (c.query_int("SELECT count(*) FROM sqlite_master WHERE type='table' AND name='events'")
                .value_or(0) == 0)
            fail(fmt::format("{} is not a cpamd database (no events table)", file.string()));
        return c.query_int("SELECT count(*) FROM events").value_or(0);
    }
    catch (const store::sqlite_error& e)
    {
        fail(fmt::format("cannot read backup {}: {}", file.string(), e.what()));
    }
}

restore_info restore_database(const fs::path& backup, const fs::path& database)
{
    restore_info info;
    info.events = verify_backup(backup);
    auto partial = fs::path(database.string() + ".restore.partial");
    try
    {
        write_copy(backup, partial);
    }
    catch (const store::sqlite_error& e)
    {
        std::error_code ec;
        fs::remove(partial, ec);
        fail(fmt::format("cannot copy backup {}: {}", backup.string(), e.what()));
    }
    if (fs::exists(database))
    {
        info.previous = database.string() + ".before-restore-" + utc_stamp(std::chrono::system_clock::now());
        for (const char* suffix : {"", "-wal", "-shm"})
        {
            fs::path from = database.string() + suffix;
            std::error_code ec;
            if (fs::exists(from))
                fs::rename(from, info.previous.string() + suffix, ec);
            if (ec)
                fail(fmt::format("cannot move {} aside: {}", from.string(), ec.message()));
        }
    }
    publish(partial, database);
    return info;
}

std::string scheduled_backup_name(std::chrono::system_clock::time_point t)
{
    return "usage-" + utc_stamp(t) + ".sqlite";
}

std::vector<fs::path>
prune_backups(const fs::path& dir, int retention_days, std::chrono::system_clock::time_point now)
{
    std::vector<fs::path> deleted;
    if (retention_days <= 0)
        return deleted;
    static const std::regex name(R"(usage-(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z\.sqlite)");
    const auto cutoff = now - std::chrono::hours(24) * retention_days;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir, ec))
    {
        std::smatch m;
        const auto file = entry.path().filename().string();
        if (!entry.is_regular_file() || !std::regex_match(file, m, name))
            continue;
        std::tm tm{};
        tm.tm_year = std::stoi(m[1]) - 1900;
        tm.tm_mon = std::stoi(m[2]) - 1;
        tm.tm_mday = std::stoi(m[3]);
        tm.tm_hour = std::stoi(m[4]);
        tm.tm_min = std::stoi(m[5]);
        tm.tm_sec = std::stoi(m[6]);
        auto taken = std::chrono::system_clock::from_time_t(timegm(&tm));
        std::error_code rm;
        if (taken < cutoff && fs::remove(entry.path(), rm))
            deleted.push_back(entry.path());
    }
    return deleted;
}

} // namespace cpamd::ops
