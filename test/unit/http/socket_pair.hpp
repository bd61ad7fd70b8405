#pragma once

// A connected TCP pair on loopback with its own io_context: `ours` is the socket under test,
// `peer` the other end, which does nothing unless a test tells it to.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

namespace cpamd::test
{

struct socket_pair
{
    socket_pair() : ours(ioc), peer(ioc)
    {
        boost::asio::ip::tcp::acceptor acceptor(ioc, {boost::asio::ip::make_address("127.0.0.1"), 0});
        ours.connect(acceptor.local_endpoint());
        acceptor.accept(peer);
    }
    boost::asio::io_context ioc;
    boost::asio::ip::tcp::socket ours;
    boost::asio::ip::tcp::socket peer;
};

} // namespace cpamd::test
