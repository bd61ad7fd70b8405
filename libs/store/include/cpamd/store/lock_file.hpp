#pragma once

// An exclusive, non-blocking flock on "<database>.manager.lock" (the upstream's name), held for
// the life of the object, so two daemons (or a daemon and an offline command) never share a
// data directory. The kernel drops the lock if the process dies.

#include <filesystem>
#include <optional>
#include <string>
#include <utility>

namespace cpamd::store
{

class lock_file
{
public:
    // Returns nullopt and sets `why` when another process holds the lock or the file cannot be opened.
    static std::optional<lock_file> acquire(const std::filesystem::path& database, std::string& why);
    ~lock_file();
    lock_file(lock_file&& o) noexcept : fd_(std::exchange(o.fd_, -1)), path_(std::move(o.path_)) {}
    lock_file& operator=(lock_file&&) = delete;
    lock_file(const lock_file&) = delete;

    const std::filesystem::path& path() const { return path_; }

private:
    lock_file(int fd, std::filesystem::path p) : fd_(fd), path_(std::move(p)) {}
    int fd_ = -1;
    std::filesystem::path path_;
};

std::filesystem::path lock_path_for(const std::filesystem::path& database);

} // namespace cpamd::store
