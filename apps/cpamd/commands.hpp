#pragma once

// The subcommands. Each returns the process exit code: 0 success, 1 runtime failure,
// 2 usage or configuration error.

#include "cli.hpp"

namespace cpamd::app
{

int run_serve(const invocation& inv);
int run_check_config(const invocation& inv);
int run_version(const invocation& inv);

} // namespace cpamd::app
