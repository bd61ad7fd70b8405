#pragma once

// The running daemon: one io_context on N threads, the HTTP server and, as they arrive, the
// store, the collector and the proxy. Owns start-up order and graceful shutdown.

#include <cpamd/core/config.hpp>

namespace cpamd::app
{

// Runs until SIGTERM/SIGINT. Returns the exit code.
int run_daemon(const config& cfg);

} // namespace cpamd::app
