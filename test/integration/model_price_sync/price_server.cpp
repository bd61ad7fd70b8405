#include "price_server.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <cctype>

namespace cpamd::test
{

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

struct price_server::state
{
    asio::io_context ioc;
    tcp::acceptor acceptor{ioc};
    mutable std::mutex mutex;
    std::condition_variable stopped_cv;
    bool stopping = false;
    std::map<std::string, reply> routes;
    std::vector<request> seen;
    std::vector<std::thread> connections;
};

price_server::price_server() : st_(std::make_shared<state>())
{
    tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), 0);
    st_->acceptor.open(ep.protocol());
    st_->acceptor.set_option(tcp::acceptor::reuse_address(true));
    st_->acceptor.bind(ep);
    st_->acceptor.listen();
    port_ = st_->acceptor.local_endpoint().port();
    acceptor_ = std::thread([this] { accept_loop(); });
}

price_server::~price_server()
{
    {
        std::lock_guard lock(st_->mutex);
        st_->stopping = true;
    }
    st_->stopped_cv.notify_all();
    // Wake the blocking accept with one last connection.
    boost::system::error_code ec;
    asio::io_context ioc;
    tcp::socket poke(ioc);
    poke.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port_), ec);
    acceptor_.join();
    std::vector<std::thread> conns;
    {
        std::lock_guard lock(st_->mutex);
        conns.swap(st_->connections);
    }
    for (auto& t : conns)
        t.join();
}

void price_server::set(const std::string& path, reply r)
{
    std::lock_guard lock(st_->mutex);
    st_->routes[path] = std::move(r);
}

std::vector<price_server::request> price_server::requests() const
{
    std::lock_guard lock(st_->mutex);
    return st_->seen;
}

std::size_t price_server::count(const std::string& path) const
{
    std::lock_guard lock(st_->mutex);
    std::size_t n = 0;
    for (const auto& r : st_->seen)
        n += r.target.substr(0, r.target.find('?')) == path;
    return n;
}

void price_server::accept_loop()
{
    for (;;)
    {
        auto sock = std::make_shared<tcp::socket>(st_->ioc);
        boost::system::error_code ec;
        st_->acceptor.accept(*sock, ec);
        std::lock_guard lock(st_->mutex);
        if (st_->stopping)
            return;
        if (ec)
            continue;
        auto st = st_;
        st_->connections.emplace_back(
            [st, sock]
            {
                boost::beast::flat_buffer buf;
                bhttp::request<bhttp::string_body> req;
                boost::system::error_code rec;
                bhttp::read(*sock, buf, req, rec);
                if (rec)
                    return;
                request seen{std::string(req.method_string()), std::string(req.target()), {}};
                for (const auto& f : req)
                {
                    std::string name(f.name_string());
                    for (auto& c : name)
                        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
                    seen.headers[name] = std::string(f.value());
                }
                reply r{404, R"({"error":"not found"})", {}};
                {
                    std::unique_lock lock(st->mutex);
                    st->seen.push_back(seen);
                    if (auto it = st->routes.find(seen.target.substr(0, seen.target.find('?')));
                        it != st->routes.end())
                        r = it->second;
                    if (r.stall.count() > 0)
                    {
                        st->stopped_cv.wait_for(lock, r.stall, [&] { return st->stopping; });
                        return; // closed unanswered
                    }
                }
                bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(r.status), 11};
                res.set(bhttp::field::content_type, "application/json");
                res.set(bhttp::field::connection, "close");
                res.body() = r.body;
                res.prepare_payload();
                boost::system::error_code wec;
                bhttp::write(*sock, res, wec);
                sock->shutdown(tcp::socket::shutdown_both, wec);
            }
        );
    }
}

} // namespace cpamd::test
