#pragma once

// The real cpamd binary (build/<preset>/bin/cpamd serve) on an ephemeral loopback port with a
// fresh data directory, for black-box tests.

#include <cpamd/test/child_process.hpp>
#include <cpamd/test/http_client.hpp>
#include <cpamd/test/temp_dir.hpp>
#include <map>
#include <memory>
#include <string>

namespace cpamd::test
{

class running_daemon
{
public:
    // Starts `cpamd serve` and waits until it logs its listening address. Throws if it does not
    // start within 10 s. `env` adds to the defaults (HTTP_ADDR=127.0.0.1:0, USAGE_DATA_DIR=<tmp>).
    explicit running_daemon(
        std::map<std::string, std::string> env = {}, std::vector<std::string> args = {"serve"}
    );

    std::uint16_t port() const { return port_; }
    const std::filesystem::path& data_dir() const { return data_dir_; }
    child_process& process() { return *process_; }
    http_client client(std::chrono::milliseconds timeout = std::chrono::seconds(10)) const
    {
        return http_client("127.0.0.1", port_, timeout);
    }

private:
    temp_dir dir_;
    std::filesystem::path data_dir_;
    std::unique_ptr<child_process> process_;
    std::uint16_t port_ = 0;
};

// Extracts the port from cpamd's "listening on HOST:PORT" log line; 0 if absent.
std::uint16_t parse_listening_port(const std::string& log);

} // namespace cpamd::test
