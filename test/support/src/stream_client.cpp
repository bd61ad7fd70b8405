#include <boost/asio/write.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <cpamd/test/stream_client.hpp>
#include <fstream>
#include <stdexcept>

namespace cpamd::test
{

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

stream_client::stream_client(std::uint16_t port, std::chrono::milliseconds step_timeout)
    : timeout_(step_timeout), socket_(ioc_), piece_(64 * 1024)
{
    socket_.connect({asio::ip::make_address("127.0.0.1"), port});
    socket_.set_option(asio::ip::tcp::no_delay(true));
}

template <class Start>
boost::system::error_code stream_client::run_op(Start start)
{
    bool done = false;
    boost::system::error_code ec;
    start(
        [&](const boost::system::error_code& e, std::size_t)
        {
            ec = e;
            done = true;
        }
    );
    run(done);
    return ec;
}

void stream_client::run(const bool& done)
{
    ioc_.restart();
    ioc_.run_for(timeout_);
    if (!done)
    {
        boost::system::error_code ignored;
        socket_.close(ignored);
        ioc_.restart();
        ioc_.run();
        throw std::runtime_error("stream_client: timeout");
    }
}

void stream_client::send(
    const std::string& method,
    const std::string& target,
    const std::map<std::string, std::string>& headers,
    std::uint64_t content_length,
    const body_source& source
)
{
    std::string head = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    for (const auto& [k, v] : headers)
        head += k + ": " + v + "\r\n";
    if (source)
        head += "Content-Length: " + std::to_string(content_length) + "\r\n";
    head += "\r\n";
    asio::write(socket_, asio::buffer(head));
    if (!source)
        return;
    std::vector<char> chunk(256 * 1024);
    std::uint64_t sent = 0;
    while (sent < content_length)
    {
        auto n = source(chunk.data(), std::min<std::uint64_t>(chunk.size(), content_length - sent));
        if (n == 0)
            break;
        auto ec =
            run_op([&](auto handler) { asio::async_write(socket_, asio::buffer(chunk.data(), n), handler); });
        if (ec)
            throw std::runtime_error("stream_client: write: " + ec.message());
        sent += n;
    }
}

unsigned stream_client::read_header()
{
    parser_.emplace();
    parser_->body_limit(boost::none);
    auto ec = run_op([&](auto handler) { http::async_read_header(socket_, buffer_, *parser_, handler); });
    if (ec)
        throw std::runtime_error("stream_client: read header: " + ec.message());
    return parser_->get().result_int();
}

std::string stream_client::header(const std::string& name) const
{
    return std::string(parser_->get()[name]);
}

std::optional<std::string_view> stream_client::read_piece()
{
    while (!parser_->is_done())
    {
        auto& body = parser_->get().body();
        body.data = piece_.data();
        body.size = piece_.size();
        auto ec = run_op([&](auto handler) { http::async_read_some(socket_, buffer_, *parser_, handler); });
        if (ec && ec != http::error::need_buffer)
        {
            cut_ = true;
            return std::nullopt;
        }
        auto got = piece_.size() - parser_->get().body().size;
        if (got > 0)
            return std::string_view(piece_.data(), got);
    }
    return std::nullopt;
}

process_memory read_process_memory(int pid)
{
    process_memory m;
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string key;
    while (in >> key)
    {
        std::uint64_t kb = 0;
        if (key == "VmRSS:" && in >> kb)
            m.rss = kb * 1024;
        else if (key == "VmHWM:" && in >> kb)
            m.peak = kb * 1024;
    }
    return m;
}

} // namespace cpamd::test
