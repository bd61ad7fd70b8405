#include "sim_fixture.hpp"

#include <array>
#include <boost/asio/write.hpp>
#include <boost/json/parse.hpp>
#include <cpamd/resp/encode.hpp>
#include <cpamd/resp/parser.hpp>
#include <cstdio>
#include <fstream>
#include <poll.h>
#include <stdexcept>
#include <thread>

namespace cpamd::test
{

sim_process::sim_process(std::vector<std::string> extra)
{
    process_options o;
    o.args = {
        "--listen",
        "127.0.0.1:0",
        "--management-key",
        mgmt_key,
        "--control-key",
        control_key,
        "--ledger",
        (dir_ / "ledger.jsonl").string()};
    o.args.insert(o.args.end(), extra.begin(), extra.end());
    proc_ = std::make_unique<child_process>(bin_dir() / "cpa-sim", o);
    if (!proc_->wait_for_output("cpa-sim listening on 127.0.0.1:", std::chrono::seconds(10)))
        throw std::runtime_error("cpa-sim did not start: " + proc_->output());
    // The line may not be complete on the first poll.
    for (int i = 0; i < 200; ++i)
    {
        auto out = proc_->output();
        auto at = out.find("cpa-sim listening on 127.0.0.1:");
        auto nl = out.find('\n', at);
        if (nl != std::string::npos)
        {
            port_ = static_cast<std::uint16_t>(std::stoi(out.substr(at + 31, nl - at - 31)));
            return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    throw std::runtime_error("no port in: " + proc_->output());
}

http_reply sim_process::mgmt(const std::string& method, const std::string& target, const std::string& body)
{
    http_client c("127.0.0.1", port_);
    return c.request(method, target, body, {{"Authorization", "Bearer " + mgmt_key}});
}

http_reply sim_process::control(const std::string& method, const std::string& target, const std::string& body)
{
    http_client c("127.0.0.1", port_);
    return c.request(method, target, body, {{"Authorization", "Bearer " + control_key}});
}

boost::json::value sim_process::stats()
{
    return boost::json::parse(control("GET", "/_sim/stats").body);
}

std::vector<std::string> sim_process::resp_commands()
{
    std::vector<std::string> out;
    auto log = boost::json::parse(control("GET", "/_sim/last-requests?n=200").body);
    for (const auto& r : log.as_array())
        if (r.at("protocol").as_string().starts_with("resp"))
            out.push_back(
                std::string(r.at("method").as_string()) + " " + std::string(r.at("target").as_string())
            );
    return out;
}

std::vector<boost::json::object> sim_process::ledger_lines() const
{
    std::vector<boost::json::object> out;
    std::ifstream f(ledger());
    std::string line;
    while (std::getline(f, line))
        out.push_back(boost::json::parse(line).as_object());
    return out;
}

resp_conn::resp_conn(std::uint16_t port, int rcvbuf) : socket_(ioc_)
{
    socket_.open(boost::asio::ip::tcp::v4());
    if (rcvbuf > 0)
        socket_.set_option(boost::asio::socket_base::receive_buffer_size(rcvbuf));
    socket_.connect({boost::asio::ip::make_address("127.0.0.1"), port});
}

void resp_conn::send(const std::string& bytes)
{
    boost::asio::write(socket_, boost::asio::buffer(bytes));
}

void resp_conn::command(std::initializer_list<std::string_view> args)
{
    send(resp::encode_command(args));
}

namespace
{

// Reads what is available within the deadline. Returns false on EOF or timeout.
bool read_some(
    boost::asio::ip::tcp::socket& s, std::string& into, std::chrono::milliseconds timeout, bool& eof
)
{
    pollfd p{s.native_handle(), POLLIN, 0};
    eof = false;
    if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0)
        return false;
    std::array<char, 65536> buf{};
    boost::system::error_code ec;
    auto n = s.read_some(boost::asio::buffer(buf), ec);
    if (ec)
    {
        eof = true;
        return false;
    }
    into.append(buf.data(), n);
    return true;
}

} // namespace

std::optional<resp::value> resp_conn::read(std::chrono::milliseconds timeout)
{
    resp::parser p;
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;)
    {
        std::string_view view(pending_);
        auto s = p.feed(view);
        if (s == resp::parser::status::done)
        {
            pending_.erase(0, pending_.size() - view.size());
            return p.take();
        }
        if (s == resp::parser::status::error)
            throw std::runtime_error("bad RESP from server");
        // Not complete: re-parse from the start next time with the extra bytes.
        p.reset();
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now()
        );
        bool eof = false;
        if (left.count() <= 0 || !read_some(socket_, pending_, left, eof))
            return std::nullopt;
    }
}

std::string resp_conn::read_bytes(std::size_t n, std::chrono::milliseconds timeout)
{
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (pending_.size() < n)
    {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now()
        );
        bool eof = false;
        if (left.count() <= 0 || !read_some(socket_, pending_, left, eof))
            break;
    }
    std::string out = pending_.substr(0, std::min(n, pending_.size()));
    pending_.erase(0, out.size());
    return out;
}

bool resp_conn::closed_by_peer(std::chrono::milliseconds timeout)
{
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;)
    {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now()
        );
        if (left.count() <= 0)
            return false;
        bool eof = false;
        std::string sink;
        if (!read_some(socket_, sink, left, eof))
            return eof;
    }
}

bool eventually(const std::function<bool()>& pred, std::chrono::milliseconds timeout)
{
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline)
    {
        if (pred())
            return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return pred();
}

std::string run_capture(const std::string& cmd)
{
    std::string out;
    std::FILE* f = ::popen((cmd + " 2>/dev/null").c_str(), "r");
    if (!f)
        throw std::runtime_error("popen failed");
    std::array<char, 4096> buf{};
    std::size_t n = 0;
    while ((n = std::fread(buf.data(), 1, buf.size(), f)) > 0)
        out.append(buf.data(), n);
    ::pclose(f);
    return out;
}

} // namespace cpamd::test
