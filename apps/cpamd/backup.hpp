#pragma once

// `cpamd backup --out FILE [--no-data-key]`: an online copy of the database, safe while the
// daemon runs, plus a copy of the generated data key beside it (FILE.data.key).
// `cpamd restore FILE`: puts a backup back in place; refuses while a daemon holds the database.

#include "cli.hpp"

namespace cpamd::app
{

int run_backup(const invocation& inv);
int run_restore(const invocation& inv);

} // namespace cpamd::app
