#pragma once

// One way for every suite to run cpa-sim: a child on 127.0.0.1 with a free port, the management
// and control keys below, and a ledger in a temporary directory of its own.

#include <boost/json/object.hpp>
#include <cpamd/test/child_process.hpp>
#include <cpamd/test/http_client.hpp>
#include <cpamd/test/temp_dir.hpp>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace cpamd::test
{

inline const std::string sim_management_key = "sim-management-key-0123456789";
inline const std::string sim_control_key = "sim-control-key-0123456789";

class sim_process
{
public:
    // Starts cpa-sim with the keys and ledger above, then `extra` flags; returns once it listens.
    explicit sim_process(std::vector<std::string> extra = {});

    std::uint16_t port() const { return port_; }
    std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
    std::filesystem::path ledger() const { return dir_ / "ledger.jsonl"; }
    child_process& process() { return *proc_; }

    // A management API call with the right key (a body is sent as JSON).
    http_reply mgmt(const std::string& method, const std::string& target, const std::string& body = {});
    // A /_sim control call with the control key.
    http_reply control(const std::string& method, const std::string& target, const std::string& body = {});
    // GET /_sim/stats.
    boost::json::object stats();
    // The ledger's lines parsed as JSON objects (a line still being written is skipped).
    std::vector<boost::json::object> ledger_lines() const;
    // "COMMAND args" of every RESP command it received, oldest first (from its request log).
    std::vector<std::string> resp_commands();

private:
    temp_dir dir_;
    std::unique_ptr<child_process> proc_;
    std::uint16_t port_ = 0;
};

} // namespace cpamd::test
