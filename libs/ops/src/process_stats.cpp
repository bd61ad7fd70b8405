#include <cpamd/ops/process_stats.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/resource.h>
#include <unistd.h>

namespace cpamd::ops
{
namespace
{

std::uint64_t boot_time_seconds()
{
    std::ifstream in("/proc/stat");
    std::string key;
    std::uint64_t value = 0;
    while (in >> key)
    {
        if (key == "btime" && (in >> value))
            return value;
        in.ignore(1 << 20, '\n');
    }
    return 0;
}

std::uint64_t count_fds()
{
    std::error_code ec;
    std::uint64_t n = 0;
    for (std::filesystem::directory_iterator it("/proc/self/fd", ec), end; !ec && it != end; it.increment(ec))
        ++n;
    return n > 0 ? n - 1 : 0; // the iterator's own descriptor is not ours to count
}

} // namespace

process_stats read_process_stats()
{
    process_stats s;
    std::ifstream in("/proc/self/stat");
    std::string line;
    std::getline(in, line);
    // The command name (field 2) may hold spaces and parentheses: fields resume after the last ')'.
    auto close = line.rfind(')');
    if (close != std::string::npos)
    {
        std::istringstream fields(line.substr(close + 2));
        std::string f[24];
        for (auto& x : f)
            fields >> x;
        // f[0] is field 3 (state); utime 14, stime 15, num_threads 20, starttime 22, vsize 23, rss 24.
        const double ticks = static_cast<double>(::sysconf(_SC_CLK_TCK));
        const auto page = static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE));
        try
        {
            s.cpu_seconds = (std::stod(f[11]) + std::stod(f[12])) / ticks;
            s.threads = std::stoull(f[17]);
            s.start_time_seconds = static_cast<double>(boot_time_seconds()) + std::stod(f[19]) / ticks;
            s.virtual_bytes = std::stoull(f[20]);
            s.resident_bytes = std::stoull(f[21]) * page;
        }
        catch (const std::exception&)
        {
            // A kernel with another layout: leave the zeros.
        }
    }
    s.open_fds = count_fds();
    rlimit lim{};
    if (::getrlimit(RLIMIT_NOFILE, &lim) == 0)
        s.max_fds = lim.rlim_cur;
    return s;
}

} // namespace cpamd::ops
