#pragma once

// One e-mail through an SMTP server (RFC 5321): the alerts' e-mail sink. Plain, STARTTLS
// (RFC 3207) or implicit TLS (port 465), certificates verified against the system store with the
// host name; AUTH PLAIN or LOGIN when a user name is given. One connection per message, all
// within one deadline; failures come back as text, never as exceptions.
// Runs on the caller's executor, which must not run it on two threads at once (an io_context run
// by one thread, or a strand): at the deadline a timer closes the socket the exchange is using.

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <string>
#include <vector>

namespace cpamd::alerts
{

struct smtp_server
{
    std::string host;
    unsigned short port = 587;
    enum class security
    {
        none,
        starttls,
        tls
    } mode = security::starttls;
    std::string username; // empty: no AUTH
    std::string password; // secret; never logged
    bool tls_skip_verify = false;
};

struct mail_message
{
    std::string from;
    std::vector<std::string> to;
    std::string subject; // UTF-8; encoded (RFC 2047) when not plain ASCII
    std::string body;    // UTF-8 plain text
};

// "" when the server accepted the message, else what failed, e.g.
// "smtp smtp.example.org:587: RCPT TO <a@b>: 550 5.1.1 no such user".
boost::asio::awaitable<std::string>
send_mail(smtp_server server, mail_message message, std::chrono::milliseconds timeout);

} // namespace cpamd::alerts
