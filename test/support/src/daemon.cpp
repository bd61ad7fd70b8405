#include <cpamd/test/daemon.hpp>
#include <regex>
#include <stdexcept>

namespace cpamd::test
{

std::uint16_t parse_listening_port(const std::string& log)
{
    static const std::regex re(R"(listening on [0-9a-fA-F.:\[\]]+:(\d+))");
    std::smatch m;
    if (!std::regex_search(log, m, re))
        return 0;
    return static_cast<std::uint16_t>(std::stoi(m[1].str()));
}

running_daemon::running_daemon(std::map<std::string, std::string> env, std::vector<std::string> args)
    : data_dir_(dir_ / "data")
{
    env.try_emplace("HTTP_ADDR", "127.0.0.1:0");
    env.try_emplace("USAGE_DATA_DIR", data_dir_.string());
    process_options opts;
    opts.args = std::move(args);
    opts.env = std::move(env);
    opts.cwd = dir_.path();
    // The daemon must not pick up a developer's own settings.
    opts.unset_env = {
        "CPA_MANAGER_CONFIG",
        "CPA_UPSTREAM_URL",
        "CPA_MANAGEMENT_KEY",
        "CPA_MANAGER_ADMIN_KEY",
        "CPA_MANAGER_DATA_KEY",
        "JOURNAL_STREAM"};
    for (const auto& [k, v] : opts.env)
        std::erase(opts.unset_env, k);
    process_ = std::make_unique<child_process>(bin_dir() / "cpamd", std::move(opts));
    if (!process_->wait_for_output("listening on", std::chrono::seconds(10)))
        throw std::runtime_error("cpamd did not start; output:\n" + process_->output());
    port_ = parse_listening_port(process_->output());
    if (port_ == 0)
        throw std::runtime_error("cannot find the port in cpamd's output:\n" + process_->output());
}

} // namespace cpamd::test
