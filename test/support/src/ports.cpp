#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cpamd/test/ports.hpp>

namespace cpamd::test
{

std::uint16_t free_port()
{
    namespace asio = boost::asio;
    asio::io_context ioc;
    asio::ip::tcp::acceptor a(ioc, {asio::ip::make_address("127.0.0.1"), 0});
    return a.local_endpoint().port();
}

} // namespace cpamd::test
