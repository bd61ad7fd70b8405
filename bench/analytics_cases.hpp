#pragma once

// The requests bench-analytics times (issue 19's table), each beside a naive reference that
// answers the core of the same question straight from raw events with a plain GROUP BY (or
// ORDER BY … LIMIT) on a read-only connection, in the same run.

#include <cpamd/store/sqlite.hpp>
#include <cpamd/test/daemon.hpp>
#include <cstdint>

namespace cpamd::bench
{

// An admin key of the accepted format (as the integration tests use).
inline const std::string bench_admin_key = "cpamp_metricstestadminkey012345678";

// Times every case against `daemon` (serving the database `ro` reads) and prints the table.
void run_cases(const test::running_daemon& daemon, store::connection& ro, std::int64_t now_ms);

} // namespace cpamd::bench
