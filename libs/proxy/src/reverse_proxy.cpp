#include "io_deadline.hpp"
#include "net_names.hpp"
#include "relay_exchange.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/string_body.hpp>
#include <cpamd/proxy/reverse_proxy.hpp>
#include <openssl/ssl.h>

namespace cpamd::proxy
{
namespace
{

using asio::ip::tcp;
using detail::describe;

asio::any_io_executor connection_executor(const asio::any_io_executor& request_executor)
{
    using session_strand = asio::strand<asio::io_context::executor_type>;
    if (const auto* strand = request_executor.target<session_strand>())
        return strand->get_inner_executor();
    return request_executor; // already the io_context's own (one thread), or not ours to unwrap
}

relay_error dial_error(const cpa_url& u, std::string_view what, bool timed_out)
{
    if (timed_out)
        return relay_error{504, "request_failed", fmt::format("dial tcp {}:{}: i/o timeout", u.host, u.port)};
    return relay_error{502, "request_failed", fmt::format("dial tcp {}:{}: {}", u.host, u.port, what)};
}

// Reads a body that is to be edited, at most `limit` bytes. nullopt when the client went away
// or sent too much (then `too_large` says which).
asio::awaitable<std::optional<std::string>> read_whole_body(
    http::connection_access& client, std::uint64_t limit, std::chrono::seconds idle, bool& too_large
)
{
    bhttp::request_parser<bhttp::string_body> p{std::move(client.parser)};
    p.body_limit(limit);
    while (!p.is_done())
    {
        client.deadline.expires_after(idle);
        auto [ec, n] = co_await bhttp::async_read_some(client.stream, client.buffer, p, use_nothrow);
        if (ec)
        {
            too_large = ec == bhttp::error::body_limit;
            co_return std::nullopt;
        }
    }
    co_return std::move(p.get().body());
}

} // namespace

std::shared_ptr<const upstream_target> make_upstream_target(std::string_view base_url, bool tls_skip_verify)
{
    auto url = parse_cpa_url(base_url);
    if (!url)
        return nullptr;
    auto t = std::make_shared<upstream_target>();
    t->pool_key = fmt::format(
        "{}://{}:{}{}",
        url->tls ? "https" : "http",
        url->host,
        url->port,
        tls_skip_verify ? "#unverified" : ""
    );
    t->origin = (url->tls ? "https://" : "http://") + url->host_header;
    t->url = std::move(*url);
    t->tls_skip_verify = tls_skip_verify;
    return t;
}

reverse_proxy::reverse_proxy(proxy_options options, std::shared_ptr<proxy_stats> stats)
    : options_(std::move(options)), stats_(std::move(stats)),
      pool_(options_.max_idle_connections, options_.pool_idle_ttl), verifying_tls_(ssl::context::tls_client),
      trusting_tls_(ssl::context::tls_client)
{
    for (auto* ctx : {&verifying_tls_, &trusting_tls_})
        ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3);
    verifying_tls_.set_default_verify_paths(); // honours SSL_CERT_FILE / SSL_CERT_DIR
    verifying_tls_.set_verify_mode(ssl::verify_peer);
    trusting_tls_.set_verify_mode(ssl::verify_none);
}

ssl::context& reverse_proxy::tls_context(bool verify)
{
    return verify ? verifying_tls_ : trusting_tls_;
}

asio::awaitable<reverse_proxy::opened>
reverse_proxy::open(const forward_plan& plan, const std::string& pool_key)
{
    auto ex = co_await asio::this_coro::executor;
    const auto& u = plan.upstream->url;
    detail::io_deadline deadline(ex);

    std::vector<tcp::endpoint> endpoints;
    boost::system::error_code not_ip;
    auto address = asio::ip::make_address(u.host, not_ip);
    const bool ip_literal = !not_ip;
    if (ip_literal)
        endpoints.emplace_back(address, static_cast<unsigned short>(std::stoi(u.port)));
    else
    {
        tcp::resolver resolver(ex);
        deadline.on_expire([&resolver] { resolver.cancel(); });
        deadline.expires_after(options_.connect_timeout);
        auto [ec, results] = co_await resolver.async_resolve(u.host, u.port, use_nothrow);
        deadline.stop();
        if (ec)
        {
            stats_->upstream_errors++;
            co_return opened{
                nullptr,
                relay_error{
                    deadline.fired() ? 504u : 502u,
                    "request_failed",
                    fmt::format(
                        "dial tcp: lookup {}: {}", u.host, deadline.fired() ? "i/o timeout" : describe(ec)
                    )}};
        }
        for (const auto& r : results)
            endpoints.push_back(r.endpoint());
    }

    // The connection outlives this request and serves others, on other sessions' strands: it gets
    // the io_context's own executor. With this session's strand every later operation on it would
    // keep that strand alive and do its bookkeeping there, a cache line shared across threads.
    tcp::socket socket(connection_executor(ex));
    deadline.on_expire(
        [&socket]
        {
            boost::system::error_code ignored;
            socket.close(ignored);
        }
    );
    deadline.expires_after(options_.connect_timeout);
    auto [cec, endpoint] = co_await asio::async_connect(socket, endpoints, use_nothrow);
    deadline.stop();
    if (cec)
    {
        (deadline.fired() ? stats_->upstream_timeouts : stats_->upstream_errors)++;
        co_return opened{nullptr, dial_error(u, "connect: " + describe(cec), deadline.fired())};
    }
    socket.set_option(tcp::no_delay(true));
    // Writes are offered to the socket at once, never blocking (http::write_all).
    boost::system::error_code non_blocking_ec; // without it, writes just wait in the reactor
    socket.non_blocking(true, non_blocking_ec);
    stats_->connections_opened++;
    if (!u.tls)
        co_return opened{std::make_unique<upstream_connection>(pool_key, std::move(socket)), std::nullopt};

    upstream_connection::tls_stream stream(std::move(socket), tls_context(!plan.upstream->tls_skip_verify));
    // SNI carries names only, never IP literals (RFC 6066).
    if (!ip_literal)
        SSL_set_tlsext_host_name(stream.native_handle(), u.host.c_str());
    if (!plan.upstream->tls_skip_verify)
        stream.set_verify_callback(ssl::host_name_verification(u.host));
    deadline.on_expire(
        [&stream]
        {
            boost::system::error_code ignored;
            stream.next_layer().cancel(ignored);
        }
    );
    deadline.expires_after(options_.tls_timeout);
    auto [hec] = co_await stream.async_handshake(ssl::stream_base::client, use_nothrow);
    deadline.stop();
    if (hec)
    {
        (deadline.fired() ? stats_->upstream_timeouts : stats_->upstream_errors)++;
        co_return opened{
            nullptr,
            relay_error{
                deadline.fired() ? 504u : 502u,
                "request_failed",
                deadline.fired() ? std::string("net/http: TLS handshake timeout")
                                 : fmt::format("tls: {}", describe(hec))}};
    }
    co_return opened{std::make_unique<upstream_connection>(pool_key, std::move(stream)), std::nullopt};
}

asio::awaitable<std::optional<relay_error>> reverse_proxy::relay(http::exchange& ex, forward_plan plan)
{
    stats_->requests++;
    auto& client = *ex.connection();
    detail::relay_context x(client, options_, *stats_);

    // Everything needed from the client's header, before its parser moves on to the body.
    // One pass over the fields instead of a lookup each (the first of each, as in[] gives).
    const auto& in = ex.header();
    std::optional<std::string_view> connection, expect, origin;
    bool declared_length = false;
    for (const auto& f : in)
        switch (f.name())
        {
        case bhttp::field::connection:
            connection = connection.value_or(f.value());
            break;
        case bhttp::field::expect:
            expect = expect.value_or(f.value());
            break;
        case bhttp::field::origin:
            origin = origin.value_or(f.value());
            break;
        case bhttp::field::content_length:
            declared_length = true;
            break;
        default:
            break;
        }
    x.is_head = in.method() == bhttp::verb::head;
    x.client_keep_alive = keeps_alive(in.version(), connection.value_or(std::string_view()));
    x.expects_continue = beast::iequals(expect.value_or(std::string_view()), "100-continue");
    x.origin = std::string(origin.value_or(std::string_view()));

    // The upstream head is written from the client's header before its parser moves on to the
    // body; only the framing waits for the body to be known.
    const std::string target =
        plan.upstream->url.base_path + (plan.target ? *plan.target : std::string(ex.target()));
    upstream_head u{target, plan.upstream->url.host_header, ex.client_address_text()};
    if (plan.authorization)
        u.authorization = *plan.authorization;
    u.set_headers = plan.set_headers;
    u.drop_headers = plan.drop_headers;
    u.client_chain = plan.client_chain;
    x.head.reserve(512);
    append_upstream_head(in, u, x.head);

    // The body: none, edited whole, or streamed.
    if (client.parser.is_done())
    {
        if (declared_length)
            x.framing = {body_framing::kind::length, 0};
    }
    else if (plan.edit_body)
    {
        if (auto len = client.parser.content_length(); len && *len > plan.edit_body_limit)
        {
            ex.close_after = true;
            co_return relay_error{413, "request_failed", "request body too large"};
        }
        // A client that does not take it fails the body read that follows.
        if (x.expects_continue)
            co_await detail::send_continue(client, options_.idle_timeout);
        bool too_large = false;
        auto body = co_await read_whole_body(client, plan.edit_body_limit, options_.idle_timeout, too_large);
        if (!body)
        {
            ex.close_after = true;
            if (too_large)
                co_return relay_error{413, "request_failed", "request body too large"};
            stats_->client_aborts++;
            co_return std::nullopt;
        }
        x.mode = detail::body_mode::buffered;
        x.buffered_body = plan.edit_body(std::move(*body));
        x.framing = {body_framing::kind::length, x.buffered_body.size()};
    }
    else
    {
        x.mode = detail::body_mode::streamed;
        if (auto len = client.parser.content_length())
            x.framing = {body_framing::kind::length, *len};
        else
            x.framing = {body_framing::kind::chunked};
        x.body_parser.emplace(std::move(client.parser));
        x.body_parser->body_limit(boost::none);
    }
    end_head(x.framing, x.head);

    // A pooled connection may have been closed by CPA a moment ago: a request that can be sent
    // again (its body is in memory) gets one more try on a fresh connection.
    const auto& pool_key = plan.upstream->pool_key;
    for (int attempt = 0;; ++attempt)
    {
        std::unique_ptr<upstream_connection> conn;
        if (attempt == 0 && x.mode != detail::body_mode::streamed)
            conn = pool_.take(pool_key);
        if (conn)
            stats_->connections_reused++;
        else
        {
            auto o = co_await open(plan, pool_key);
            if (o.error)
            {
                ex.close_after = x.mode == detail::body_mode::streamed;
                co_return o.error;
            }
            conn = std::move(o.connection);
        }
        auto run = [&](auto& stream) { return detail::relay_exchange(stream, *conn, x); };
        auto result = co_await conn->visit(run);
        ex.status_written = x.status_written;
        if (result.end == detail::exchange_end::retry && attempt == 0)
        {
            conn->close();
            continue;
        }
        if (result.reusable)
            pool_.give_back(std::move(conn));
        else
            conn->close();
        if (result.close_client)
            ex.close_after = true;
        if (result.end == detail::exchange_end::retry)
            co_return relay_error{502, "request_failed", "CPA closed the connection before answering"};
        co_return result.error;
    }
}

} // namespace cpamd::proxy
