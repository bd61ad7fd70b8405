#include "commands.hpp"

#include "daemon.hpp"

#include <boost/version.hpp>
#include <cpamd/core/config.hpp>
#include <cpamd/core/log.hpp>
#include <cpamd/core/version.hpp>
#include <cstdio>
#include <fmt/format.h>

namespace cpamd::app
{
namespace
{

bool reject_extra_args(const invocation& inv)
{
    if (inv.args.empty())
        return false;
    fmt::print(
        stderr,
        "cpamd {}: unexpected argument {} (see cpamd {} --help)\n",
        inv.command,
        inv.args.front(),
        inv.command
    );
    return true;
}

std::string_view origin_name(config_origin o)
{
    switch (o)
    {
    case config_origin::env:
        return "env";
    case config_origin::file:
        return "file";
    case config_origin::fallback:
        return "default";
    }
    return "default";
}

} // namespace

int run_serve(const invocation& inv)
{
    if (reject_extra_args(inv))
        return 2;
    auto cfg = load_config_or_report(inv);
    if (!cfg)
        return 2;
    log::set_min_level(cfg->value.log_level);
    for (const auto& w : cfg->warnings)
        log::warn("config: {}", w);
    return run_daemon(cfg->value);
}

int run_check_config(const invocation& inv)
{
    if (reject_extra_args(inv))
        return 2;
    auto cfg = load_config_or_report(inv);
    if (!cfg)
        return 2;
    const auto& c = cfg->value;
    fmt::print("config file: {}\n", c.config_file.empty() ? "(none)" : c.config_file.string());
    for (const auto& row : cfg->effective)
        fmt::print("{:<34} {:<30} [{}]\n", row.env, row.value, origin_name(row.origin));
    for (const auto& w : cfg->warnings)
        fmt::print("warning: {}\n", w);
    fmt::print("configuration is valid\n");
    return 0;
}

int run_version(const invocation& inv)
{
    if (reject_extra_args(inv))
        return 2;
    fmt::print("cpamd {}\n", version);
    fmt::print(
        "built with g++ {}.{}, Boost {}.{}.{}\n",
        __GNUC__,
        __GNUC_MINOR__,
        BOOST_VERSION / 100000,
        BOOST_VERSION / 100 % 1000,
        BOOST_VERSION % 100
    );
    return 0;
}

} // namespace cpamd::app
