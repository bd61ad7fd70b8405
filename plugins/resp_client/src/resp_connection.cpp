#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <cerrno>
#include <cpamd/collectors/resp_connection.hpp>
#include <cpamd/collectors/resp_endpoint.hpp>
#include <cpamd/collectors/resp_errors.hpp>
#include <cpamd/resp/encode.hpp>
#include <openssl/ssl.h>
#include <sys/socket.h>

namespace cpamd::collectors
{
namespace
{

namespace asio = boost::asio;
namespace ssl = asio::ssl;
using namespace asio::experimental::awaitable_operators;
using collector_api::outcome;
using collector_api::outcome_code;
using error_code = boost::system::error_code;

constexpr auto use_nothrow = asio::as_tuple(asio::use_awaitable);

bool is_ip_literal(const std::string& host)
{
    error_code ec;
    asio::ip::make_address(host, ec);
    return !ec;
}

std::string describe(const error_code& ec)
{
    if (ec == asio::error::eof)
        return "connection closed by the server";
    return ec.message();
}

std::string ms(std::chrono::milliseconds d)
{
    return std::to_string(d.count()) + " ms";
}

// Built outside the coroutines: g++ 12 miscompiles a braced list inside a coroutine body.
std::string auth_command(std::string_view key)
{
    return resp::encode_command({"AUTH", key});
}

} // namespace

resp::limits reply_limits()
{
    resp::limits l;
    // A hostile peer cannot make one reply cost more than this (plus about 100 bytes per element).
    l.max_bulk = 16u << 20;
    l.max_elements = 1u << 16;
    l.max_depth = 2;
    l.max_frame = 32u << 20;
    return l;
}

resp_connection::resp_connection(asio::any_io_executor ex)
    : executor_(ex), resolver_(ex), tcp_(ex), parser_(reply_limits())
{
}

resp_connection::~resp_connection() = default;

bool resp_connection::is_open() const
{
    return open_ && !cancelled_;
}

bool resp_connection::still_usable()
{
    if (!is_open() || begin_ < end_ || parser_.mid_frame())
        return false;
    const int fd = tls_ ? tls_->next_layer().native_handle() : tcp_.native_handle();
    char byte = 0;
    // Nothing is expected between replies: anything readable (EOF, a TLS alert, stray bytes) means
    // the connection is done.
    auto n = ::recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

void resp_connection::close()
{
    open_ = false;
    resolver_.cancel();
    error_code ignored;
    // Closing the socket (never destroying the stream) makes a pending operation complete.
    if (tls_)
        tls_->next_layer().close(ignored);
    else
        tcp_.close(ignored);
}

void resp_connection::cancel()
{
    cancelled_ = true;
    close();
}

outcome resp_connection::failure(std::string what)
{
    close();
    if (cancelled_)
        return {outcome_code::cancelled, 0, "closed"};
    return {outcome_code::io_error, 0, std::move(what)};
}

asio::awaitable<std::tuple<error_code, std::size_t>> resp_connection::read_some_raw(asio::mutable_buffer b)
{
    if (tls_)
        co_return co_await tls_->async_read_some(b, use_nothrow);
    co_return co_await tcp_.async_read_some(b, use_nothrow);
}

asio::awaitable<std::tuple<error_code, std::size_t>> resp_connection::write_raw(asio::const_buffer b)
{
    if (tls_)
        co_return co_await asio::async_write(*tls_, b, use_nothrow);
    co_return co_await asio::async_write(tcp_, b, use_nothrow);
}

asio::awaitable<outcome> resp_connection::open(const collector_api::collector_settings* s)
{
    close();
    if (cancelled_)
        co_return failure("closed");
    tls_.reset();
    tls_context_.reset();
    tcp_ = tcp::socket(executor_);
    parser_.reset();
    begin_ = end_ = frames_ = 0;
    first_byte_ = 0;

    auto ep = parse_endpoint(s->base_url);
    if (!ep)
        co_return failure("base_url is not http(s)://host[:port]");
    const auto timeout = s->request_timeout;
    asio::steady_timer timer(executor_);

    timer.expires_after(timeout);
    auto resolved =
        co_await (resolver_.async_resolve(ep->host, ep->port, use_nothrow) || timer.async_wait(use_nothrow));
    if (resolved.index() == 1)
        co_return failure("resolve " + ep->host + ": timed out after " + ms(timeout));
    auto [rec, endpoints] = std::get<0>(std::move(resolved));
    if (rec || cancelled_)
        co_return failure("resolve " + ep->host + ": " + describe(rec));

    timer.expires_after(timeout);
    auto connected =
        co_await (asio::async_connect(tcp_, endpoints, use_nothrow) || timer.async_wait(use_nothrow));
    if (connected.index() == 1)
        co_return failure("connect: timed out after " + ms(timeout));
    if (auto [cec, peer] = std::get<0>(connected); cec || cancelled_)
        co_return failure("connect: " + describe(cec));
    error_code ignored;
    tcp_.set_option(tcp::no_delay(true), ignored); // commands are tiny; do not wait for Nagle

    if (ep->tls)
    {
        tls_context_ = std::make_unique<ssl::context>(ssl::context::tls_client);
        tls_context_->set_options(
            ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3
        );
        if (s->tls_skip_verify)
            tls_context_->set_verify_mode(ssl::verify_none);
        else
        {
            // Honours SSL_CERT_FILE / SSL_CERT_DIR, like every OpenSSL client.
            tls_context_->set_default_verify_paths();
            tls_context_->set_verify_mode(ssl::verify_peer);
        }
        // No ALPN on purpose: CPA routes a connection that negotiated h2 or http/1.1 to HTTP.
        tls_ = std::make_unique<tls_stream>(std::move(tcp_), *tls_context_);
        if (!is_ip_literal(ep->host)) // SNI carries names only (RFC 6066)
            SSL_set_tlsext_host_name(tls_->native_handle(), ep->host.c_str());
        if (!s->tls_skip_verify)
            tls_->set_verify_callback(ssl::host_name_verification(ep->host));
        timer.expires_after(timeout);
        auto shaken = co_await (
            tls_->async_handshake(ssl::stream_base::client, use_nothrow) || timer.async_wait(use_nothrow)
        );
        if (shaken.index() == 1)
            co_return failure("TLS handshake: timed out after " + ms(timeout));
        if (auto [hec] = std::get<0>(shaken); hec || cancelled_)
            co_return failure("TLS handshake: " + describe(hec));
    }
    open_ = true;
    last_received_ = std::chrono::steady_clock::now();
    co_return co_await authenticate(s);
}

asio::awaitable<outcome> resp_connection::authenticate(const collector_api::collector_settings* s)
{
    // The very first command of the connection, and nothing follows it until +OK came back.
    auto sent = co_await send(auth_command(s->management_key), s->request_timeout);
    if (sent.code != outcome_code::ok)
    {
        sent.message = "AUTH: " + sent.message;
        co_return sent;
    }
    auto reply = co_await read(s->request_timeout);
    if (!reply.ok)
    {
        reply.failure.message = "AUTH: " + reply.failure.message;
        co_return reply.failure;
    }
    const auto& v = reply.value;
    if (v.type == resp::kind::simple_string && v.text == "OK")
        co_return outcome{};
    close(); // never send anything after a refused AUTH: it would count as another failed login
    if (v.type == resp::kind::error)
        co_return outcome{
            classify_auth_error(v.text), 0, "AUTH refused: " + scrub(v.text, s->management_key)};
    co_return outcome{
        outcome_code::io_error,
        0,
        "AUTH: unexpected reply " + scrub(resp::debug_string(v), s->management_key)};
}

asio::awaitable<outcome> resp_connection::send(std::string bytes, std::chrono::milliseconds timeout)
{
    if (!is_open())
        co_return failure("not connected");
    asio::steady_timer timer(executor_);
    timer.expires_after(timeout);
    auto r = co_await (write_raw(asio::buffer(bytes)) || timer.async_wait(use_nothrow));
    if (r.index() == 1)
        co_return failure("write: timed out after " + ms(timeout));
    if (auto [ec, n] = std::get<0>(r); ec || cancelled_)
        co_return failure("write: " + describe(ec));
    co_return outcome{};
}

asio::awaitable<resp_reply> resp_connection::read(std::chrono::milliseconds timeout)
{
    resp_reply out;
    for (;;)
    {
        if (!is_open())
        {
            out.failure = failure("not connected");
            co_return out;
        }
        if (begin_ < end_)
        {
            std::string_view in(buffer_.data() + begin_, end_ - begin_);
            const auto before = in.size();
            auto st = parser_.feed(in);
            begin_ += before - in.size();
            if (st == resp::parser::status::done)
            {
                ++frames_;
                out.ok = true;
                out.value = parser_.take();
                co_return out;
            }
            if (st == resp::parser::status::error)
            {
                if (frames_ == 0 && parser_.error() == resp::errc::bad_type_byte && first_byte_ == 'H')
                {
                    close();
                    out.failure = {
                        outcome_code::unsupported,
                        0,
                        "the server answered HTTP, not RESP (a reverse proxy, or not CPA's API port)"};
                    co_return out;
                }
                out.failure =
                    failure(std::string("protocol error in reply: ") + resp::describe(parser_.error()));
                co_return out;
            }
        }
        begin_ = end_ = 0; // the parser holds everything fed so far
        std::tuple<error_code, std::size_t> got;
        if (timeout.count() == 0)
            got = co_await read_some_raw(asio::buffer(buffer_));
        else
        {
            asio::steady_timer timer(executor_);
            timer.expires_after(timeout);
            auto r = co_await (read_some_raw(asio::buffer(buffer_)) || timer.async_wait(use_nothrow));
            if (r.index() == 1)
            {
                out.failure = failure("read: no reply within " + ms(timeout));
                co_return out;
            }
            got = std::get<0>(r);
        }
        auto [ec, n] = got;
        if (ec || cancelled_)
        {
            out.failure = failure(
                parser_.mid_frame() && ec == asio::error::eof ? "connection closed in the middle of a reply"
                                                              : "read: " + describe(ec)
            );
            co_return out;
        }
        if (frames_ == 0 && first_byte_ == 0 && n > 0)
            first_byte_ = buffer_[0];
        end_ = n;
        last_received_ = std::chrono::steady_clock::now();
    }
}

} // namespace cpamd::collectors
