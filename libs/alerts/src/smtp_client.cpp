#include "smtp_dialog.hpp"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/ip/host_name.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <cpamd/alerts/smtp.hpp>
#include <cpamd/core/hex.hpp>
#include <cpamd/security/primitives.hpp>
#include <fmt/format.h>
#include <memory>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <optional>

namespace cpamd::alerts
{
namespace
{

namespace asio = boost::asio;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using clock = std::chrono::steady_clock;
using namespace asio::experimental::awaitable_operators;
using detail::smtp_reply;

constexpr auto use_nothrow = asio::as_tuple(asio::use_awaitable);

// One connection to the server and where the exchange stands.
struct session
{
    session(asio::any_io_executor ex, const smtp_server& srv)
        : server(srv), socket(std::move(ex)), tls_context(ssl::context::tls_client)
    {
    }

    const smtp_server& server;
    tcp::socket socket;                           // closed by the watchdog at the deadline
    ssl::context tls_context;                     // before `tls`, which refers to it
    std::optional<ssl::stream<tcp::socket&>> tls; // set once TLS runs over `socket`
    std::string input;                            // received and not yet parsed
    std::string step = "connect";                 // what runs now: names a timeout
    bool accepted = false;                        // the server took the message (DATA's 250)
};

std::string io_error(const boost::system::error_code& ec)
{
    if (ec == asio::error::eof || ec == ssl::error::stream_truncated)
        return "connection closed by the server";
    return ec.message();
}

bool is_ip_literal(const std::string& host)
{
    boost::system::error_code ec;
    asio::ip::make_address(host, ec);
    return !ec;
}

asio::awaitable<std::string> write_all(session& s, std::string_view data)
{
    boost::system::error_code ec;
    if (s.tls)
        std::tie(ec, std::ignore) = co_await asio::async_write(*s.tls, asio::buffer(data), use_nothrow);
    else
        std::tie(ec, std::ignore) = co_await asio::async_write(s.socket, asio::buffer(data), use_nothrow);
    co_return ec ? io_error(ec) : std::string();
}

// Reads one whole reply, continuation lines included, into `reply`.
asio::awaitable<std::string> read_reply(session& s, smtp_reply& reply)
{
    reply = {};
    std::size_t total = 0;
    while (true)
    {
        // The buffer's cap bounds one line; `total` bounds the reply.
        auto buffer = asio::dynamic_buffer(s.input, detail::max_reply_bytes);
        boost::system::error_code ec;
        std::size_t n = 0;
        if (s.tls)
            std::tie(ec, n) = co_await asio::async_read_until(*s.tls, buffer, '\n', use_nothrow);
        else
            std::tie(ec, n) = co_await asio::async_read_until(s.socket, buffer, '\n', use_nothrow);
        total += n;
        if (ec == asio::error::not_found || total > detail::max_reply_bytes)
            co_return fmt::format("reply longer than {} KiB", detail::max_reply_bytes / 1024);
        if (ec)
            co_return io_error(ec);
        std::string_view line(s.input.data(), n - 1);
        if (line.ends_with('\r'))
            line.remove_suffix(1);
        auto status = detail::add_reply_line(reply, line);
        s.input.erase(0, n);
        if (status == detail::reply_line::malformed)
            co_return "malformed reply";
        if (status == detail::reply_line::done)
            co_return std::string();
    }
}

// Reads a reply and checks its class (2 for 2xx, 3 for 3xx); errors are prefixed with `what`.
asio::awaitable<std::string> expect(session& s, std::string what, int expected_class, smtp_reply& reply)
{
    s.step = what;
    if (auto e = co_await read_reply(s, reply); !e.empty())
        co_return fmt::format("{}: {}", what, e);
    if (reply.code / 100 != expected_class)
        co_return fmt::format("{}: {}", what, detail::reply_text(reply));
    co_return std::string();
}

// Sends one command line. `what` names it in errors: never the line itself, which may be a
// credential.
asio::awaitable<std::string>
command(session& s, std::string what, std::string line, int expected_class, smtp_reply& reply)
{
    s.step = what;
    reply = {};
    line += "\r\n";
    if (auto e = co_await write_all(s, line); !e.empty())
        co_return fmt::format("{}: {}", what, e);
    co_return co_await expect(s, std::move(what), expected_class, reply);
}

asio::awaitable<std::string> start_tls(session& s)
{
    s.step = "TLS handshake";
    const std::string& host = s.server.host;
    const bool verify = !s.server.tls_skip_verify;
    s.tls_context.set_options(
        ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3
    );
    if (verify)
    {
        boost::system::error_code ec;
        s.tls_context.set_default_verify_paths(ec);
        if (ec)
            co_return fmt::format("TLS: system certificate store: {}", ec.message());
        s.tls_context.set_verify_mode(ssl::verify_peer);
    }
    else
        s.tls_context.set_verify_mode(ssl::verify_none);
    s.tls.emplace(s.socket, s.tls_context);
    // SNI only carries names, never IP literals (RFC 6066).
    if (!is_ip_literal(host))
        SSL_set_tlsext_host_name(s.tls->native_handle(), host.c_str());
    if (verify)
        s.tls->set_verify_callback(ssl::host_name_verification(host));
    auto [ec] = co_await s.tls->async_handshake(ssl::stream_base::client, use_nothrow);
    if (!ec)
        co_return std::string();
    long verdict = SSL_get_verify_result(s.tls->native_handle());
    if (verify && verdict != X509_V_OK)
        co_return fmt::format("TLS handshake: {} ({})", ec.message(), X509_verify_cert_error_string(verdict));
    co_return fmt::format("TLS handshake: {}", io_error(ec));
}

asio::awaitable<std::string> hello(session& s, detail::ehlo_capabilities& caps)
{
    boost::system::error_code ec;
    const auto local = s.socket.local_endpoint(ec);
    const std::string name = detail::ehlo_name(
        asio::ip::host_name(ec), ec ? "" : local.address().to_string(), !ec && local.address().is_v6()
    );
    smtp_reply reply;
    auto e = co_await command(s, "EHLO", "EHLO " + name, 2, reply);
    if (e.empty())
    {
        caps = detail::parse_ehlo(reply);
        co_return e;
    }
    // A server from before ESMTP: HELO does when nothing EHLO advertises is needed.
    const bool plain = s.server.mode == smtp_server::security::none && s.server.username.empty();
    if (plain && (reply.code == 500 || reply.code == 502))
    {
        caps = {};
        co_return co_await command(s, "HELO", "HELO " + name, 2, reply);
    }
    co_return e;
}

asio::awaitable<std::string> authenticate(session& s, const detail::ehlo_capabilities& caps)
{
    const std::string& user = s.server.username;
    const std::string& password = s.server.password;
    if (!caps.auth)
        co_return s.tls ? "AUTH: the server offers no authentication"
                        : "AUTH: the server offers no authentication on this plain connection "
                          "(use starttls or tls)";
    auto offered = [&](std::string_view m)
    {
        return std::find(caps.auth_mechanisms.begin(), caps.auth_mechanisms.end(), m) !=
               caps.auth_mechanisms.end();
    };
    smtp_reply reply;
    if (offered("PLAIN"))
        co_return co_await command(
            s, "AUTH PLAIN", "AUTH PLAIN " + detail::auth_plain(user, password), 2, reply
        );
    if (offered("LOGIN"))
    {
        if (auto e = co_await command(s, "AUTH LOGIN", "AUTH LOGIN", 3, reply); !e.empty())
            co_return e;
        if (auto e = co_await command(s, "AUTH LOGIN", detail::base64(user), 3, reply); !e.empty())
            co_return e;
        co_return co_await command(s, "AUTH LOGIN", detail::base64(password), 2, reply);
    }
    std::string mechanisms;
    for (const auto& m : caps.auth_mechanisms)
        mechanisms += (mechanisms.empty() ? "" : " ") + m;
    co_return fmt::format(
        "AUTH: no mechanism in common (the server offers {}; cpamd speaks PLAIN and LOGIN)", mechanisms
    );
}

// The exchange from connect to QUIT; "" once the message is accepted.
asio::awaitable<std::string>
dialog(session& s, tcp::resolver::results_type endpoints, const mail_message& message, std::string data)
{
    s.step = "connect";
    if (auto [ec, ep] = co_await asio::async_connect(s.socket, endpoints, use_nothrow); ec)
        co_return fmt::format("connect: {}", ec.message());
    const auto mode = s.server.mode;
    if (mode == smtp_server::security::tls)
        if (auto e = co_await start_tls(s); !e.empty())
            co_return e;

    smtp_reply reply;
    if (auto e = co_await expect(s, "greeting", 2, reply); !e.empty())
        co_return e;
    detail::ehlo_capabilities caps;
    if (auto e = co_await hello(s, caps); !e.empty())
        co_return e;
    if (mode == smtp_server::security::starttls)
    {
        if (!caps.starttls)
            co_return "STARTTLS: not offered by the server";
        if (auto e = co_await command(s, "STARTTLS", "STARTTLS", 2, reply); !e.empty())
            co_return e;
        // Anything already received would pass as TLS-protected (STARTTLS command injection).
        if (!s.input.empty())
            co_return "STARTTLS: unexpected data after the server's 220";
        if (auto e = co_await start_tls(s); !e.empty())
            co_return e;
        // What the server said in the clear no longer counts (RFC 3207 §4.2).
        if (auto e = co_await hello(s, caps); !e.empty())
            co_return e;
    }
    if (!s.server.username.empty())
        if (auto e = co_await authenticate(s, caps); !e.empty())
            co_return e;

    const auto from = detail::envelope_address(message.from);
    if (auto e = co_await command(
            s, fmt::format("MAIL FROM <{}>", from), fmt::format("MAIL FROM:<{}>", from), 2, reply
        );
        !e.empty())
        co_return e;
    for (const auto& to : message.to)
    {
        const auto rcpt = detail::envelope_address(to);
        if (auto e = co_await command(
                s, fmt::format("RCPT TO <{}>", rcpt), fmt::format("RCPT TO:<{}>", rcpt), 2, reply
            );
            !e.empty())
            co_return e;
    }
    if (auto e = co_await command(s, "DATA", "DATA", 3, reply); !e.empty())
        co_return e;
    s.step = "message";
    if (auto e = co_await write_all(s, data); !e.empty())
        co_return "message: " + e;
    if (auto e = co_await expect(s, "message", 2, reply); !e.empty())
        co_return e;
    s.accepted = true;
    // The message is the server's now: how QUIT goes changes nothing.
    co_await command(s, "QUIT", "QUIT", 2, reply);
    co_return std::string();
}

// Closes the socket at the deadline, which ends whatever the dialog awaits. The dialog finishing
// first cancels the wait (operator|| cancels the slower side).
asio::awaitable<void> watchdog(asio::steady_timer& timer, session& s)
{
    auto [ec] = co_await timer.async_wait(use_nothrow);
    if (ec)
        co_return;
    boost::system::error_code ignored;
    s.socket.close(ignored);
}

// Resolves the server's name before the deadline. The resolver ignores cancellation (getaddrinfo
// runs to its end on asio's resolver thread), so the coroutine waits on a timer instead, and the
// completion handler owns what it writes: a lookup still running at the deadline is left behind.
asio::awaitable<std::string>
resolve(const smtp_server& server, clock::time_point deadline, tcp::resolver::results_type& out)
{
    struct pending
    {
        explicit pending(const asio::any_io_executor& ex) : resolver(ex), wake(ex) {}
        tcp::resolver resolver;
        asio::steady_timer wake;
        boost::system::error_code ec;
        tcp::resolver::results_type results;
        bool done = false;
    };
    auto p = std::make_shared<pending>(co_await asio::this_coro::executor);
    p->wake.expires_at(deadline);
    p->resolver.async_resolve(
        server.host,
        std::to_string(server.port),
        [p](const boost::system::error_code& ec, tcp::resolver::results_type results)
        {
            p->ec = ec;
            p->results = std::move(results);
            p->done = true;
            p->wake.cancel();
        }
    );
    co_await p->wake.async_wait(use_nothrow);
    if (!p->done)
    {
        p->resolver.cancel();
        co_return clock::now() >= deadline ? "resolve: timed out" : "resolve: cancelled";
    }
    if (p->ec)
        co_return fmt::format("resolve {}: {}", server.host, p->ec.message());
    out = std::move(p->results);
    co_return std::string();
}

std::string new_message_id()
{
    unsigned char bytes[16];
    try
    {
        security::random_bytes(bytes);
    }
    catch (const std::exception&)
    {
        // The id only has to be unique enough; a failing CSPRNG is no reason to lose an alert.
        auto now = std::chrono::system_clock::now().time_since_epoch().count();
        return fmt::format("{:x}.{:x}", now, reinterpret_cast<std::uintptr_t>(&now));
    }
    return hex::encode(std::string_view(reinterpret_cast<const char*>(bytes), sizeof bytes));
}

} // namespace

asio::awaitable<std::string>
send_mail(smtp_server server, mail_message message, std::chrono::milliseconds timeout)
{
    const std::string peer = detail::peer_name(server.host, server.port);
    // The password can only reach an error text through what a server echoes; scrub it anyway.
    auto failure = [&](std::string_view why)
    {
        std::string text = fmt::format("smtp {}: {}", peer, why);
        if (!server.password.empty())
        {
            text = detail::redact(std::move(text), server.password);
            text = detail::redact(std::move(text), detail::base64(server.password));
            text = detail::redact(std::move(text), detail::auth_plain(server.username, server.password));
        }
        return text;
    };
    if (server.host.empty() || server.port == 0)
        co_return failure("no server host or port");
    if (auto bad = detail::check_message(message); !bad.empty())
        co_return failure(bad);

    const auto deadline = clock::now() + timeout;
    std::string data = detail::build_data(message, std::chrono::system_clock::now(), new_message_id());
    tcp::resolver::results_type endpoints;
    if (auto e = co_await resolve(server, deadline, endpoints); !e.empty())
        co_return failure(e.ends_with("timed out") ? fmt::format("{} after {} ms", e, timeout.count()) : e);

    auto ex = co_await asio::this_coro::executor;
    session s(ex, server);
    asio::steady_timer timer(ex);
    timer.expires_at(deadline);
    auto outcome = co_await (dialog(s, std::move(endpoints), message, std::move(data)) || watchdog(timer, s));
    boost::system::error_code ignored;
    s.socket.close(ignored);
    if (outcome.index() == 1)
        co_return s.accepted ? std::string()
                             : failure(fmt::format("{}: timed out after {} ms", s.step, timeout.count()));
    const auto& error = std::get<0>(outcome);
    co_return error.empty() ? error : failure(error);
}

} // namespace cpamd::alerts
