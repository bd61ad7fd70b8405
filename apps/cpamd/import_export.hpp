#pragma once

// Offline `cpamd import FILE` and `cpamd export [--out FILE] [--from MS] [--to MS]`: they take the
// data directory lock, so they refuse to run beside a daemon (which has the HTTP routes for the
// same jobs). Progress goes to stderr when it is a terminal.

#include "cli.hpp"

namespace cpamd::app
{

int run_import(const invocation& inv);
int run_export(const invocation& inv);

} // namespace cpamd::app
