#include "server_state.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/http/write.hpp>
#include <cpamd/core/log.hpp>
#include <cpamd/http/address_text.hpp>
#include <cpamd/http/reply.hpp>
#include <cpamd/http/server.hpp>

namespace cpamd::http
{

using detail::server_state;
using detail::session;

void server_state::add(const std::shared_ptr<session>& s)
{
    std::lock_guard lock(mutex);
    s->id = ++next_id;
    sessions.emplace(s->id, s);
}

void server_state::remove(std::uint64_t id)
{
    std::lock_guard lock(mutex);
    sessions.erase(id);
}

bool server_state::admit(const std::string& group)
{
    std::lock_guard lock(mutex);
    auto& n = per_address[group];
    if (n >= options.max_connections_per_address)
        return false;
    ++n;
    return true;
}

void server_state::release(const std::string& group)
{
    std::lock_guard lock(mutex);
    auto it = per_address.find(group);
    if (it != per_address.end() && --it->second == 0)
        per_address.erase(it);
}

struct server::state : server_state
{
    using server_state::server_state;
};

namespace
{

void log_session_end(std::exception_ptr e)
{
    if (!e)
        return;
    try
    {
        std::rethrow_exception(e);
    }
    catch (const std::exception& x)
    {
        log::error("http session ended by an error: {}", x.what());
    }
}

// Over the connection cap: answer 503 at once and close, without reading the request.
asio::awaitable<void> refuse_connection(asio::ip::tcp::socket socket)
{
    beast::tcp_stream stream(std::move(socket));
    auto res = too_many_connections_reply();
    res.keep_alive(false);
    res.prepare_payload();
    stream.expires_after(std::chrono::seconds(5));
    co_await bhttp::async_write(stream, res, use_nothrow);
    boost::system::error_code ignored;
    stream.socket().shutdown(asio::ip::tcp::socket::shutdown_send, ignored);
}

asio::awaitable<void> serve_connection(std::shared_ptr<server_state> st, std::shared_ptr<session> s)
{
    st->add(s);
    co_await detail::run_session(st, s);
    st->remove(s->id);
    st->release(s->group);
    st->active--;
}

asio::awaitable<void> accept_loop(std::shared_ptr<server_state> st)
{
    for (;;)
    {
        const auto connection_executor = st->options.single_thread
                                             ? asio::any_io_executor(st->ioc.get_executor())
                                             : asio::any_io_executor(asio::make_strand(st->ioc));
        auto [ec, socket] = co_await st->acceptor.async_accept(connection_executor, use_nothrow);
        if (ec)
        {
            if (ec == asio::error::operation_aborted || st->stopping || !st->acceptor.is_open())
                co_return;
            // Out of file descriptors and the like: back off briefly rather than spin.
            log::warn("http accept failed: {}", ec.message());
            asio::steady_timer t(st->acceptor.get_executor(), std::chrono::milliseconds(100));
            co_await t.async_wait(use_nothrow);
            continue;
        }
        st->counters.accepted++;
        // Responses go out in one write, but streamed ones (exports, the proxy) in pieces: without
        // this, Nagle holds each small piece until the previous one is acknowledged.
        boost::system::error_code nodelay_ec;
        socket.set_option(asio::ip::tcp::no_delay(true), nodelay_ec);
        // Writes are offered to the socket at once, never blocking (write_all): no operation on
        // a client socket may wait except through the reactor.
        boost::system::error_code non_blocking_ec;
        socket.non_blocking(true, non_blocking_ec);
        boost::system::error_code ep_ec;
        auto peer = socket.remote_endpoint(ep_ec);
        if (ep_ec)
            continue;
        auto executor = socket.get_executor();
        auto group = address_group(peer.address());
        const bool global_full = st->active.load() >= st->options.max_connections;
        if (global_full || !st->admit(group))
        {
            (global_full ? st->counters.refused : st->counters.refused_per_address)++;
            asio::co_spawn(executor, refuse_connection(std::move(socket)), log_session_end);
            continue;
        }
        st->active++;
        auto s = std::make_shared<session>(std::move(socket), peer.address(), std::move(group));
        asio::co_spawn(executor, serve_connection(st, std::move(s)), log_session_end);
    }
}

asio::ip::tcp::endpoint resolve_endpoint(const listen_address& a)
{
    if (a.host.empty())
        return {asio::ip::address_v6::any(), a.port};
    return {asio::ip::make_address(a.host), a.port};
}

} // namespace

server::server(asio::io_context& ioc, router routes, server_options options)
    : state_(std::make_shared<state>(ioc, std::move(routes), std::move(options)))
{
}

server::~server()
{
    boost::system::error_code ignored;
    state_->acceptor.close(ignored);
}

void server::start()
{
    auto& acc = state_->acceptor;
    auto ep = resolve_endpoint(state_->options.listen);
    acc.open(ep.protocol());
    acc.set_option(asio::socket_base::reuse_address(true));
    if (ep.address().is_v6() && state_->options.listen.host.empty())
        acc.set_option(asio::ip::v6_only(false)); // ":port" means every interface, v4 and v6
    acc.bind(ep);
    acc.listen(asio::socket_base::max_listen_connections);
    asio::co_spawn(acc.get_executor(), accept_loop(state_), log_session_end);
}

asio::ip::tcp::endpoint server::local_endpoint() const
{
    return state_->acceptor.local_endpoint();
}

void server::begin_shutdown()
{
    state_->stopping = true;
    asio::post(
        state_->acceptor.get_executor(),
        [st = state_]
        {
            boost::system::error_code ignored;
            st->acceptor.close(ignored);
        }
    );
    std::lock_guard lock(state_->mutex);
    for (auto& [id, weak] : state_->sessions)
    {
        if (auto s = weak.lock())
        {
            // On the session's strand, so `busy` and the socket are not raced.
            asio::post(
                s->stream.get_executor(),
                [s]
                {
                    // The session may have closed its socket meanwhile: then there is
                    // nothing to cancel, and the throwing overload would end the process.
                    boost::system::error_code ignored;
                    if (!s->busy)
                        s->stream.socket().cancel(ignored);
                }
            );
        }
    }
}

std::size_t server::active_connections() const
{
    return state_->active.load();
}
const server_counters& server::counters() const
{
    return state_->counters;
}

} // namespace cpamd::http
