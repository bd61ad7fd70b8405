#pragma once

// Logging: one line per event on stderr, written with a single write(2) so lines from several
// threads never interleave. Under systemd (JOURNAL_STREAM set) each line starts with an sd-daemon
// priority prefix such as "<6>" and carries no timestamp, so the journal keeps levels and times.
// Never pass a secret to these functions: see docs/security.md.

#include <fmt/format.h>
#include <string_view>

namespace cpamd::log
{

enum class level
{
    debug,
    info,
    warn,
    error
};

// Parses "debug|info|warn|warning|error" (case-insensitive). Returns false on anything else.
bool parse_level(std::string_view text, level& out);
std::string_view level_name(level l);

void set_min_level(level l);
level min_level();

// Decided once from the environment; tests may force it.
void set_journal_format(bool on);

void write(level l, std::string_view message);

template <class... Args>
void debug(fmt::format_string<Args...> f, Args&&... args)
{
    if (min_level() <= level::debug)
        write(level::debug, fmt::format(f, std::forward<Args>(args)...));
}
template <class... Args>
void info(fmt::format_string<Args...> f, Args&&... args)
{
    if (min_level() <= level::info)
        write(level::info, fmt::format(f, std::forward<Args>(args)...));
}
template <class... Args>
void warn(fmt::format_string<Args...> f, Args&&... args)
{
    if (min_level() <= level::warn)
        write(level::warn, fmt::format(f, std::forward<Args>(args)...));
}
template <class... Args>
void error(fmt::format_string<Args...> f, Args&&... args)
{
    write(level::error, fmt::format(f, std::forward<Args>(args)...));
}

} // namespace cpamd::log
