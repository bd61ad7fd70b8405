// cpa-sim: see docs/cpa-sim.md. One io_context thread runs every connection and the generator.

#include "context.hpp"
#include "generator.hpp"
#include "mux.hpp"
#include "options.hpp"
#include "tls.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <cpamd/core/log.hpp>
#include <csignal>
#include <fmt/format.h>
#include <optional>

namespace asio = boost::asio;

namespace
{

void rethrow(std::exception_ptr e)
{
    if (e)
        std::rethrow_exception(e);
}

} // namespace

int main(int argc, char** argv)
{
    auto opts = cpamd::sim::parse_options(argc, argv);
    if (!opts)
        return 2;
    std::signal(SIGPIPE, SIG_IGN);
    try
    {
        // Declared before the io_context so coroutine frames destroyed with it never outlive it.
        cpamd::sim::sim_context ctx(*opts);
        asio::io_context ioc(1);

        std::optional<asio::ssl::context> tls;
        if (ctx.opts.tls)
            tls.emplace(cpamd::sim::make_tls_context(ctx.opts.tls_cert_out));

        asio::ip::tcp::endpoint ep(asio::ip::make_address(ctx.opts.listen_host), ctx.opts.listen_port);
        asio::ip::tcp::acceptor acceptor(ioc);
        acceptor.open(ep.protocol());
        acceptor.set_option(asio::ip::tcp::acceptor::reuse_address(true));
        acceptor.bind(ep);
        acceptor.listen(asio::socket_base::max_listen_connections);
        auto bound = acceptor.local_endpoint();
        ctx.opts.listen_port = bound.port();

        asio::co_spawn(ioc, cpamd::sim::accept_loop(&ctx, &acceptor, tls ? &*tls : nullptr), rethrow);
        if (ctx.opts.rate > 0)
            asio::co_spawn(ioc, cpamd::sim::run_generator(&ctx), rethrow);

        asio::signal_set signals(ioc, SIGINT, SIGTERM);
        signals.async_wait(
            [&](boost::system::error_code ec, int)
            {
                if (ec)
                    return;
                ctx.stopping = true;
                ioc.stop();
            }
        );

        std::string host =
            bound.address().is_v6() ? "[" + bound.address().to_string() + "]" : bound.address().to_string();
        fmt::print(stderr, "cpa-sim listening on {}:{}\n", host, bound.port());
        if (ctx.opts.tls)
            fmt::print(stderr, "cpa-sim tls certificate written to {}\n", ctx.opts.tls_cert_out);
        std::fflush(stderr);

        ioc.run();
        // Subscribers hold timers of this io_context: release them before it goes.
        ctx.queue.clear_subscribers();
        return 0;
    }
    catch (const std::exception& e)
    {
        fmt::print(stderr, "cpa-sim: {}\n", e.what());
        return 1;
    }
}
