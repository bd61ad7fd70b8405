#pragma once

// The text side of the SMTP client (smtp_client.cpp does the I/O): replies as they are parsed,
// EHLO capabilities, checks of a message before connecting, and the message itself as DATA
// carries it. No I/O, so every function here is plain and total.

#include <chrono>
#include <cpamd/alerts/smtp.hpp>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace cpamd::alerts::detail
{

// The most one reply may take, all its lines together: a hostile server cannot grow memory.
inline constexpr std::size_t max_reply_bytes = 64 * 1024;

struct smtp_reply
{
    int code = 0;                   // 0 until a line arrived
    std::vector<std::string> lines; // the text after "250-" / "250 ", one per line
};

enum class reply_line
{
    more,     // a continuation line ("250-..."): the reply goes on
    done,     // the last line ("250 ..." or "250")
    malformed // no 3-digit code, a code unlike the previous lines', or no ' '/'-' after it
};

// Adds one received line (without its CRLF) to `reply`.
reply_line add_reply_line(smtp_reply& reply, std::string_view line);

// "550 5.1.1 no such user": the code and the lines joined by spaces, control characters replaced
// and cut to a few hundred characters, fit for an error text.
std::string reply_text(const smtp_reply& reply);

// What an EHLO reply advertises that the client cares about.
struct ehlo_capabilities
{
    bool starttls = false;
    bool auth = false;
    std::vector<std::string> auth_mechanisms; // upper case, e.g. {"PLAIN", "LOGIN"}
};
ehlo_capabilities parse_ehlo(const smtp_reply& reply);

// "host:port", or "[v6]:port".
std::string peer_name(std::string_view host, unsigned short port);

// The EHLO argument: the local host name when it is a dotted domain name, else the local address
// as an address literal ("[192.0.2.1]", "[IPv6:::1]"), else "cpamd".
std::string ehlo_name(std::string_view host_name, std::string_view local_address, bool local_is_v6);

// The address part of "Name <a@b>" or "a@b", as MAIL FROM and RCPT TO carry it.
std::string_view envelope_address(std::string_view mailbox);

// "" when the message can be sent, else what is wrong with it: no sender, no recipient, a CR or
// LF in a header field (header injection), an address that MAIL FROM / RCPT TO cannot carry.
std::string check_message(const mail_message& message);

// The Subject field's value: as is when printable ASCII, else RFC 2047 encoded words
// (=?UTF-8?B?...?=) folded onto lines of at most 76 characters.
std::string encode_subject(std::string_view subject);

// RFC 5322 date-time in UTC: "Tue, 03 Oct 2023 12:34:56 +0000".
std::string format_date(std::chrono::system_clock::time_point t);

// Everything sent after DATA's 354: header fields, blank line, body, dot-stuffed, with CRLF line
// endings and the final ".\r\n". `message_id` is the part before "@cpamd".
std::string build_data(
    const mail_message& message, std::chrono::system_clock::time_point now, std::string_view message_id
);

// Standard base64 with padding, as AUTH (RFC 4954) wants it.
std::string base64(std::string_view data);

// AUTH PLAIN's initial response (RFC 4616): base64 of "\0user\0password".
std::string auth_plain(std::string_view username, std::string_view password);

// `text` with every occurrence of `secret` replaced by "***" (nothing when `secret` is empty).
std::string redact(std::string text, std::string_view secret);

} // namespace cpamd::alerts::detail
