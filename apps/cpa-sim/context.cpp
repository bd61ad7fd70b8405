#include "context.hpp"

#include "json_text.hpp"

namespace cpamd::sim
{

sim_context::sim_context(options o)
    : opts(std::move(o)), ledger_file(opts.ledger_path), queue(ledger_file, opts.retention_seconds),
      auth(opts.management_key, opts.allow_remote)
{
    config.usage_statistics_enabled = opts.usage_statistics_enabled;
    if (!opts.client_key.empty())
        config.api_keys.push_back(opts.client_key);
    faults.delay_ms = opts.delay_ms;
    faults.fail_500 = opts.fail_500;
    faults.drop_mid_response = opts.drop_mid_response;
    faults.old_cpa = opts.old_cpa;
    faults.resp_disabled = opts.resp_disabled;
    paused = opts.paused;
}

void sim_context::add_log_line(const std::string& message)
{
    log_lines.push_back(
        "[" + rfc3339_nano(std::chrono::system_clock::now(), 0).substr(0, 19) + "] [info] " + message
    );
    // Bounded like a rotating log file.
    while (log_lines.size() > 20000)
        log_lines.pop_front();
}

void sim_context::restart()
{
    ++restarts;
    queue.restart();
    auth.reset();
    connections.close_all();
    add_log_line("server restarted");
}

} // namespace cpamd::sim
