#pragma once

// A cpa-sim with its control API and a cpamd whose connection to it comes from the environment,
// for the reverse proxy suites; plus what cpa-sim says it received.

#include "setup_fixture.hpp"

#include <boost/json/array.hpp>
#include <cpamd/test/stream_client.hpp>

namespace cpamd::test
{

inline const std::string proxy_admin_key = "cpamp_proxytestadminkey0123456789ab";

// cpamd bound to `upstream` (URL + sim_management_key) through the environment, admin key preset.
std::unique_ptr<running_daemon> start_proxy_daemon(
    const temp_dir& dir, const std::string& upstream, std::map<std::string, std::string> env = {}
);

std::map<std::string, std::string> admin_headers();

// cpamd's count of clients that left mid-request (from /metrics); -1 when absent.
int proxy_client_aborts(running_daemon& d);

// The requests cpa-sim recorded (oldest first), without cpamd's own usage-queue pops.
boost::json::array sim_requests(sim_process& sim);
// Forgets the recorded requests.
void clear_sim_requests(sim_process& sim);
// Every value of header `lower_name` in a recorded request.
std::vector<std::string> header_values(const boost::json::value& request, const std::string& lower_name);

} // namespace cpamd::test
