#include <cerrno>
#include <cpamd/store/lock_file.hpp>
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

namespace cpamd::store
{

std::filesystem::path lock_path_for(const std::filesystem::path& database)
{
    return database.string() + ".manager.lock";
}

std::optional<lock_file> lock_file::acquire(const std::filesystem::path& database, std::string& why)
{
    auto path = lock_path_for(database);
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
    {
        why = fmt::format("cannot open lock file {}: {}", path.string(), std::strerror(errno));
        return std::nullopt;
    }
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0)
    {
        int err = errno;
        ::close(fd);
        why =
            err == EWOULDBLOCK
                ? fmt::format(
                      "another cpamd process is using {} (lock {} is held)", database.string(), path.string()
                  )
                : fmt::format("cannot lock {}: {}", path.string(), std::strerror(err));
        return std::nullopt;
    }
    // Record who holds it, for humans; the lock itself is the flock.
    auto pid = std::to_string(::getpid()) + "\n";
    if (::ftruncate(fd, 0) == 0)
        (void)!::write(fd, pid.data(), pid.size());
    return lock_file(fd, path);
}

lock_file::~lock_file()
{
    if (fd_ >= 0)
        ::close(fd_);
}

} // namespace cpamd::store
