#include <atomic>
#include <chrono>
#include <cpamd/core/log.hpp>
#include <cstdlib>
#include <string>
#include <unistd.h>

namespace cpamd::log
{
namespace
{

std::atomic<level> min_level_{level::info};
// -1: not decided yet, 0: plain, 1: journal prefixes.
std::atomic<int> journal_{-1};

bool journal_format()
{
    int j = journal_.load(std::memory_order_relaxed);
    if (j < 0)
    {
        j = std::getenv("JOURNAL_STREAM") != nullptr ? 1 : 0;
        journal_.store(j, std::memory_order_relaxed);
    }
    return j == 1;
}

// sd-daemon(3) priorities.
int journal_priority(level l)
{
    switch (l)
    {
    case level::debug:
        return 7;
    case level::info:
        return 6;
    case level::warn:
        return 4;
    case level::error:
        return 3;
    }
    return 6;
}

char ascii_lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool iequals(std::string_view a, std::string_view b)
{
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (ascii_lower(a[i]) != ascii_lower(b[i]))
            return false;
    return true;
}

} // namespace

bool parse_level(std::string_view text, level& out)
{
    if (iequals(text, "debug"))
        out = level::debug;
    else if (iequals(text, "info"))
        out = level::info;
    else if (iequals(text, "warn") || iequals(text, "warning"))
        out = level::warn;
    else if (iequals(text, "error"))
        out = level::error;
    else
        return false;
    return true;
}

std::string_view level_name(level l)
{
    switch (l)
    {
    case level::debug:
        return "debug";
    case level::info:
        return "info";
    case level::warn:
        return "warn";
    case level::error:
        return "error";
    }
    return "info";
}

void set_min_level(level l)
{
    min_level_.store(l, std::memory_order_relaxed);
}
level min_level()
{
    return min_level_.load(std::memory_order_relaxed);
}
void set_journal_format(bool on)
{
    journal_.store(on ? 1 : 0, std::memory_order_relaxed);
}

void write(level l, std::string_view message)
{
    if (l < min_level())
        return;
    std::string line;
    line.reserve(message.size() + 40);
    if (journal_format())
    {
        line = fmt::format("<{}>", journal_priority(l));
    }
    else
    {
        auto now = std::chrono::system_clock::now();
        auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
        std::time_t secs = static_cast<std::time_t>(ms / 1000);
        std::tm tm{};
        gmtime_r(&secs, &tm);
        line = fmt::format(
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z {:<5} ",
            tm.tm_year + 1900,
            tm.tm_mon + 1,
            tm.tm_mday,
            tm.tm_hour,
            tm.tm_min,
            tm.tm_sec,
            ms % 1000,
            level_name(l)
        );
    }
    // One event, one line: embedded newlines would split it in the journal.
    for (char c : message)
        line.push_back(c == '\n' || c == '\r' ? ' ' : c);
    line.push_back('\n');
    std::size_t off = 0;
    while (off < line.size())
    {
        ssize_t n = ::write(STDERR_FILENO, line.data() + off, line.size() - off);
        if (n <= 0)
            break;
        off += static_cast<std::size_t>(n);
    }
}

} // namespace cpamd::log
