#pragma once

// `cpamd reset-admin-key [--admin-key V | --admin-key-file F] [--db-path P]` (spec manager-api
// §3.1 Reset): replaces the stored admin credential offline. Refuses while a daemon holds the
// data directory lock and refuses a missing or empty database. Prints the new key only when it
// generated one.

#include "cli.hpp"

namespace cpamd::app
{

int run_reset_admin_key(const invocation& inv);

} // namespace cpamd::app
