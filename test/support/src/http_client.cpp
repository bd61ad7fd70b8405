#include <algorithm>
#include <array>
#include <boost/asio/connect.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <cctype>
#include <cpamd/test/http_client.hpp>
#include <functional>
#include <stdexcept>
#include <thread>

namespace cpamd::test
{

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

namespace
{

// Runs the io_context until `done` or the timeout; on timeout closes the socket and throws.
void run_for(
    asio::io_context& ioc, asio::ip::tcp::socket& s, std::chrono::milliseconds timeout, const bool& done
)
{
    ioc.restart();
    ioc.run_for(timeout);
    if (!done)
    {
        boost::system::error_code ignored;
        s.close(ignored);
        ioc.restart();
        ioc.run();
        throw std::runtime_error("http_client: timeout");
    }
}

} // namespace

std::string http_reply::header(const std::string& lower_name) const
{
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string{} : it->second;
}

http_client::http_client(std::string host, std::uint16_t port, std::chrono::milliseconds timeout)
    : host_(std::move(host)), port_(port), timeout_(timeout), socket_(ioc_)
{
    connect();
}

http_client::http_client(
    std::string host, std::uint16_t port, std::chrono::milliseconds timeout, std::string local_address
)
    : host_(std::move(host)), port_(port), timeout_(timeout), local_address_(std::move(local_address)),
      socket_(ioc_)
{
    connect();
}

void http_client::connect()
{
    socket_ = asio::ip::tcp::socket(ioc_);
    buffer_.clear();
    if (!local_address_.empty())
    {
        auto local = asio::ip::make_address(local_address_);
        socket_.open(local.is_v4() ? asio::ip::tcp::v4() : asio::ip::tcp::v6());
        socket_.bind({local, 0});
    }
    socket_.connect({asio::ip::make_address(host_), port_});
}

http_reply http_client::request(
    const std::string& method,
    const std::string& target,
    const std::string& body,
    const std::map<std::string, std::string>& headers
)
{
    if (!socket_.is_open())
        connect();
    http::request<http::string_body> req{http::string_to_verb(method), target, 11};
    req.set(http::field::host, host_ + ":" + std::to_string(port_));
    for (const auto& [k, v] : headers)
        req.set(k, v);
    if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH")
    {
        req.body() = body;
        req.prepare_payload();
    }

    bool done = false;
    boost::system::error_code op_ec;
    http::response_parser<http::string_body> parser;
    parser.body_limit(1024ull * 1024 * 1024);
    http::async_write(
        socket_,
        req,
        [&](boost::system::error_code ec, std::size_t)
        {
            if (ec)
            {
                op_ec = ec;
                done = true;
                return;
            }
            http::async_read(
                socket_,
                buffer_,
                parser,
                [&](boost::system::error_code ec2, std::size_t)
                {
                    op_ec = ec2;
                    done = true;
                }
            );
        }
    );
    run_for(ioc_, socket_, timeout_, done);
    if (op_ec)
    {
        boost::system::error_code ignored;
        socket_.close(ignored);
        throw boost::system::system_error(op_ec, "http_client request");
    }
    auto res = parser.release();
    http_reply out;
    out.status = res.result_int();
    out.body = std::move(res.body());
    out.keep_alive = res.keep_alive();
    for (const auto& f : res)
    {
        std::string name(f.name_string());
        std::transform(
            name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); }
        );
        out.headers[name] = std::string(f.value());
    }
    if (!out.keep_alive)
    {
        boost::system::error_code ignored;
        socket_.close(ignored);
    }
    return out;
}

void http_client::send_raw(const std::string& bytes)
{
    if (!socket_.is_open())
        connect();
    asio::write(socket_, asio::buffer(bytes));
}

std::string http_client::read_raw()
{
    std::string out;
    // Whatever is already buffered from an earlier parse belongs to this read too.
    out.append(static_cast<const char*>(buffer_.data().data()), buffer_.size());
    buffer_.clear();
    bool done = false;
    std::array<char, 4096> chunk{};
    std::function<void()> read_more;
    read_more = [&]()
    {
        socket_.async_read_some(
            asio::buffer(chunk),
            [&](boost::system::error_code ec, std::size_t n)
            {
                out.append(chunk.data(), n);
                if (ec)
                {
                    done = true;
                    return;
                }
                read_more();
            }
        );
    };
    read_more();
    ioc_.restart();
    ioc_.run_for(timeout_);
    boost::system::error_code ignored;
    socket_.close(ignored);
    ioc_.restart();
    ioc_.run();
    (void)done;
    return out;
}

bool wait_until_listening(std::uint16_t port, std::chrono::milliseconds timeout)
{
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline)
    {
        try
        {
            asio::io_context ioc;
            asio::ip::tcp::socket s(ioc);
            s.connect({asio::ip::make_address("127.0.0.1"), port});
            return true;
        }
        catch (const std::exception&)
        {
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    }
    return false;
}

} // namespace cpamd::test
