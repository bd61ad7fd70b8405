#include <cerrno>
#include <cpamd/core/log.hpp>
#include <cpamd/store/database.hpp>
#include <cpamd/store/migrations.hpp>
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

namespace cpamd::store
{
namespace
{

// The database holds the encrypted CPA key and usage data: owner only, like data.key and the
// spool. SQLite gives its -wal and -shm files the main file's mode, so this covers them too. An
// older file created 0644 is tightened.
void make_private(const std::filesystem::path& path)
{
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        return; // SQLite's own open says why
    struct stat st
    {
    };
    if (::fstat(fd, &st) == 0 && (st.st_mode & 0077) != 0 && ::fchmod(fd, 0600) != 0)
        log::warn("database {}: cannot make it private (0600): {}", path.string(), std::strerror(errno));
    ::close(fd);
}

} // namespace

connection open_writer(const std::filesystem::path& path)
{
    if (path.has_parent_path())
        std::filesystem::create_directories(path.parent_path());
    make_private(path);
    connection db(path, connection::mode::read_write_create);
    db.exec("PRAGMA journal_mode=WAL");
    db.exec("PRAGMA synchronous=NORMAL");
    db.exec("PRAGMA foreign_keys=ON");
    // Bounds the WAL file after checkpoints (256 MiB, as upstream).
    db.exec(fmt::format("PRAGMA journal_size_limit={}", journal_size_limit_bytes));
    migrate(db);
    return db;
}

connection open_reader(const std::filesystem::path& path)
{
    connection db(path, connection::mode::read_only);
    db.exec("PRAGMA query_only=ON");
    return db;
}

} // namespace cpamd::store
