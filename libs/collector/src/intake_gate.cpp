#include <cpamd/collector/intake_gate.hpp>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/statvfs.h>
#include <unistd.h>

namespace cpamd::collector
{
namespace
{

constexpr std::size_t probe_bytes = 64 * 1024;

double mib(std::uint64_t bytes)
{
    return static_cast<double>(bytes) / (1 << 20);
}

} // namespace

intake_gate::intake_gate(
    std::filesystem::path dir, std::function<std::uint64_t()> backlog, intake_limits limits
)
    : dir_(std::move(dir)), backlog_(std::move(backlog)), limits_(limits)
{
}

void intake_gate::spool_failed(std::string what)
{
    std::lock_guard lock(mutex_);
    spool_error_ = std::move(what);
}

intake_state intake_gate::for_pop(std::string& why)
{
    return check(limits_.pop_backlog, why);
}

intake_state intake_gate::for_subscription(std::string& why)
{
    return check(limits_.subscribe_backlog, why);
}

intake_state intake_gate::check(std::uint64_t max_backlog, std::string& why)
{
    if (!disk_ok(why))
        return intake_state::disk;
    auto backlog = backlog_ ? backlog_() : 0;
    if (backlog > max_backlog)
    {
        why = fmt::format(
            "{:.1f} MiB of records wait to be stored (bound {:.0f} MiB): taking no more from CPA until "
            "the database catches up",
            mib(backlog),
            mib(max_backlog)
        );
        return intake_state::backlog;
    }
    return intake_state::open;
}

bool intake_gate::disk_ok(std::string& why)
{
    struct statvfs fs
    {
    };
    std::string failed;
    bool ok = true;
    if (::statvfs(dir_.c_str(), &fs) == 0)
    {
        const auto free = static_cast<std::uint64_t>(fs.f_bavail) * fs.f_frsize;
        if (free < limits_.disk_reserve)
        {
            ok = false;
            why = fmt::format(
                "disk nearly full: only {:.1f} MiB free in {} (cpamd keeps {:.0f} MiB in reserve); not "
                "taking records from CPA until space returns",
                mib(free),
                dir_.string(),
                mib(limits_.disk_reserve)
            );
        }
    }
    std::function<void()> back;
    {
        std::lock_guard lock(mutex_);
        if (ok && !spool_error_.empty())
        {
            if (probe_write())
                spool_error_.clear();
            else
            {
                ok = false;
                why = fmt::format(
                    "the spool cannot be written ({}); not taking records from CPA until it can", spool_error_
                );
            }
        }
        if (ok && disk_closed_)
            back = on_disk_back_;
        disk_closed_ = !ok;
    }
    if (back)
        back();
    return ok;
}

bool intake_gate::probe_write()
{
    // As the spool writes: a real write made durable, then removed.
    auto path = dir_ / ".probe";
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return false;
    std::string block(probe_bytes, '\0');
    bool ok =
        ::write(fd, block.data(), block.size()) == static_cast<ssize_t>(block.size()) && ::fdatasync(fd) == 0;
    ::close(fd);
    ::unlink(path.c_str());
    return ok;
}

} // namespace cpamd::collector
