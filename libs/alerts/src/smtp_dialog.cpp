#include "smtp_dialog.hpp"

#include <algorithm>
#include <cpamd/core/ascii.hpp>
#include <cpamd/security/base64.hpp>
#include <ctime>
#include <fmt/format.h>

namespace cpamd::alerts::detail
{
namespace
{

constexpr std::size_t max_error_reply = 400;   // characters of a reply quoted in an error
constexpr std::size_t max_line = 998;          // octets per line, CRLF excluded (RFC 5322 §2.1.1)
constexpr std::size_t encoded_word_bytes = 39; // "Subject: " + one encoded word stays <= 76
constexpr std::size_t base64_line = 76;        // RFC 2045 §6.8

bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

bool has_line_break(std::string_view s)
{
    return s.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

char to_upper(char c)
{
    return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c;
}

std::vector<std::string_view> split_words(std::string_view s)
{
    std::vector<std::string_view> out;
    while (true)
    {
        s = ascii::trim(s);
        if (s.empty())
            return out;
        auto end = std::find_if(s.begin(), s.end(), ascii::is_space);
        auto n = static_cast<std::size_t>(end - s.begin());
        out.push_back(s.substr(0, n));
        s.remove_prefix(n);
    }
}

// "" when `address` can sit between MAIL FROM:< and >, else why not.
std::string check_address(std::string_view address)
{
    if (address.empty())
        return "empty address";
    for (char c : address)
    {
        auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u == 0x7f || c == '<' || c == '>')
            return fmt::format("address \"{}\" contains a space, a control character or '<'/'>'", address);
    }
    return {};
}

// Every line break ("\r\n", lone "\r" or lone "\n") as CRLF, and a final CRLF unless empty.
std::string crlf_lines(std::string_view text)
{
    std::string out;
    out.reserve(text.size() + text.size() / 32 + 2);
    for (std::size_t i = 0; i < text.size(); ++i)
    {
        char c = text[i];
        if (c == '\r' || c == '\n')
        {
            if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n')
                ++i;
            out += "\r\n";
        }
        else
            out += c;
    }
    if (!out.empty() && !out.ends_with("\r\n"))
        out += "\r\n";
    return out;
}

// 7bit is allowed: ASCII without NUL, no line longer than 998 octets.
bool fits_7bit(std::string_view crlf_text)
{
    std::size_t line = 0;
    for (char c : crlf_text)
    {
        auto u = static_cast<unsigned char>(c);
        if (u == 0 || u >= 0x80)
            return false;
        line = c == '\n' ? 0 : line + 1;
        if (line > max_line + 1) // the '\r' of the CRLF counts here
            return false;
    }
    return true;
}

std::string base64_lines(std::string_view data)
{
    std::string encoded = base64(data);
    std::string out;
    for (std::size_t i = 0; i < encoded.size(); i += base64_line)
    {
        out.append(encoded, i, base64_line);
        out += "\r\n";
    }
    return out;
}

// A '.' doubled at the start of every line (RFC 5321 §4.5.2), then the final ".\r\n".
std::string dot_stuff(std::string_view crlf_text)
{
    std::string out;
    out.reserve(crlf_text.size() + 16);
    bool line_start = true;
    for (char c : crlf_text)
    {
        if (line_start && c == '.')
            out += '.';
        out += c;
        line_start = c == '\n';
    }
    if (!out.empty() && !out.ends_with("\r\n"))
        out += "\r\n";
    out += ".\r\n";
    return out;
}

// "To: a@b, c@d" folded before a recipient that would take the line past 78 characters.
std::string to_field(const std::vector<std::string>& to)
{
    std::string out = "To: ";
    std::size_t line = out.size();
    for (std::size_t i = 0; i < to.size(); ++i)
    {
        if (i > 0)
        {
            if (line + 2 + to[i].size() > 78)
            {
                out += ",\r\n ";
                line = 1;
            }
            else
            {
                out += ", ";
                line += 2;
            }
        }
        out += to[i];
        line += to[i].size();
    }
    return out + "\r\n";
}

} // namespace

reply_line add_reply_line(smtp_reply& reply, std::string_view line)
{
    if (line.size() < 3 || !is_digit(line[0]) || !is_digit(line[1]) || !is_digit(line[2]) || line[0] == '0')
        return reply_line::malformed;
    int code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
    if (!reply.lines.empty() && code != reply.code)
        return reply_line::malformed;
    if (line.size() > 3 && line[3] != ' ' && line[3] != '-')
        return reply_line::malformed;
    reply.code = code;
    reply.lines.emplace_back(line.size() > 4 ? line.substr(4) : std::string_view{});
    return line.size() > 3 && line[3] == '-' ? reply_line::more : reply_line::done;
}

std::string reply_text(const smtp_reply& reply)
{
    std::string out = std::to_string(reply.code);
    for (const auto& l : reply.lines)
    {
        if (l.empty())
            continue;
        out += ' ';
        out += l;
        if (out.size() > max_error_reply)
            break;
    }
    for (char& c : out)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
            c = '?';
    if (out.size() > max_error_reply)
    {
        out.resize(max_error_reply);
        out += "...";
    }
    return out;
}

ehlo_capabilities parse_ehlo(const smtp_reply& reply)
{
    ehlo_capabilities caps;
    // The first line greets; each further line is a keyword and its parameters (RFC 5321 §4.1.1.1).
    for (std::size_t i = 1; i < reply.lines.size(); ++i)
    {
        auto words = split_words(reply.lines[i]);
        if (words.empty())
            continue;
        std::string keyword(words[0]);
        std::transform(keyword.begin(), keyword.end(), keyword.begin(), to_upper);
        std::vector<std::string_view> params(words.begin() + 1, words.end());
        if (keyword == "STARTTLS")
            caps.starttls = true;
        else if (keyword.starts_with("AUTH=")) // pre-RFC 4954 servers: "AUTH=PLAIN LOGIN"
            params.insert(params.begin(), words[0].substr(5));
        if (keyword == "AUTH" || keyword.starts_with("AUTH="))
        {
            caps.auth = true;
            for (auto p : params)
            {
                std::string mech(p);
                std::transform(mech.begin(), mech.end(), mech.begin(), to_upper);
                if (!mech.empty() &&
                    std::find(caps.auth_mechanisms.begin(), caps.auth_mechanisms.end(), mech) ==
                        caps.auth_mechanisms.end())
                    caps.auth_mechanisms.push_back(std::move(mech));
            }
        }
    }
    return caps;
}

std::string peer_name(std::string_view host, unsigned short port)
{
    if (host.find(':') != std::string_view::npos)
        return fmt::format("[{}]:{}", host, port);
    return fmt::format("{}:{}", host, port);
}

std::string ehlo_name(std::string_view host_name, std::string_view local_address, bool local_is_v6)
{
    // RFC 5321 §4.1.4: a fully qualified domain name, or an address literal when there is none.
    auto domain_char = [](char c)
    { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '-' || c == '.'; };
    if (host_name.find('.') != std::string_view::npos && !host_name.starts_with('.') &&
        !host_name.ends_with('.') && std::all_of(host_name.begin(), host_name.end(), domain_char))
        return std::string(host_name);
    if (!local_address.empty())
        return local_is_v6 ? fmt::format("[IPv6:{}]", local_address) : fmt::format("[{}]", local_address);
    return "cpamd";
}

std::string_view envelope_address(std::string_view mailbox)
{
    auto open = mailbox.rfind('<');
    if (open != std::string_view::npos)
    {
        auto close = mailbox.find('>', open);
        if (close != std::string_view::npos)
            return mailbox.substr(open + 1, close - open - 1);
    }
    return ascii::trim(mailbox);
}

std::string check_message(const mail_message& message)
{
    // Header injection first: a CR or LF would start a header field (or the body) of its own.
    if (has_line_break(message.from))
        return "invalid message: the sender contains CR or LF";
    for (const auto& to : message.to)
        if (has_line_break(to))
            return "invalid message: a recipient contains CR or LF";
    if (has_line_break(message.subject))
        return "invalid message: the subject contains CR or LF";
    if (message.from.empty())
        return "invalid message: no sender";
    if (message.to.empty())
        return "invalid message: no recipient";
    if (auto bad = check_address(envelope_address(message.from)); !bad.empty())
        return "invalid sender: " + bad;
    for (const auto& to : message.to)
        if (auto bad = check_address(envelope_address(to)); !bad.empty())
            return "invalid recipient: " + bad;
    return {};
}

std::string encode_subject(std::string_view subject)
{
    bool plain = subject.size() + 9 <= max_line &&
                 std::all_of(subject.begin(), subject.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
    if (plain)
        return std::string(subject);
    std::string out;
    while (!subject.empty())
    {
        // Cut on a UTF-8 character boundary: a decoder sees each encoded word on its own.
        std::size_t n = std::min(subject.size(), encoded_word_bytes);
        if (n < subject.size())
        {
            std::size_t cut = n;
            while (cut > 0 && (static_cast<unsigned char>(subject[cut]) & 0xC0) == 0x80)
                --cut;
            if (cut > 0) // else not UTF-8 at all: cut anywhere
                n = cut;
        }
        if (!out.empty())
            out += "\r\n ";
        out += "=?UTF-8?B?" + base64(subject.substr(0, n)) + "?=";
        subject.remove_prefix(n);
    }
    return out;
}

std::string format_date(std::chrono::system_clock::time_point t)
{
    static constexpr const char* days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static constexpr const char* months[] = {
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    std::time_t tt = std::chrono::system_clock::to_time_t(t);
    std::tm tm{};
    ::gmtime_r(&tt, &tm);
    return fmt::format(
        "{}, {:02} {} {} {:02}:{:02}:{:02} +0000",
        days[tm.tm_wday],
        tm.tm_mday,
        months[tm.tm_mon],
        tm.tm_year + 1900,
        tm.tm_hour,
        tm.tm_min,
        tm.tm_sec
    );
}

std::string build_data(
    const mail_message& message, std::chrono::system_clock::time_point now, std::string_view message_id
)
{
    // 7bit when the body is ASCII in lines of at most 998 octets: readable as it travels and
    // accepted by every server. Anything else goes base64, not 8bit: 8bit needs the server to
    // advertise 8BITMIME and MAIL FROM to say BODY=8BITMIME (RFC 6152), and even then no line may
    // exceed 998 octets; base64 needs nothing from the server and has 76-character lines.
    std::string body = crlf_lines(message.body);
    const bool seven_bit = fits_7bit(body);
    std::string data;
    data += fmt::format("From: {}\r\n", message.from);
    data += to_field(message.to);
    data += fmt::format("Subject: {}\r\n", encode_subject(message.subject));
    data += fmt::format("Date: {}\r\n", format_date(now));
    data += fmt::format("Message-ID: <{}@cpamd>\r\n", message_id);
    data += "MIME-Version: 1.0\r\n";
    data += "Content-Type: text/plain; charset=UTF-8\r\n";
    data += fmt::format("Content-Transfer-Encoding: {}\r\n", seven_bit ? "7bit" : "base64");
    data += "\r\n";
    data += seven_bit ? body : base64_lines(body);
    return dot_stuff(data);
}

std::string base64(std::string_view data)
{
    return security::base64_encode(data, security::base64_variant::std);
}

std::string auth_plain(std::string_view username, std::string_view password)
{
    std::string raw;
    raw += '\0';
    raw += username;
    raw += '\0';
    raw += password;
    return base64(raw);
}

std::string redact(std::string text, std::string_view secret)
{
    if (secret.empty())
        return text;
    for (auto at = text.find(secret); at != std::string::npos; at = text.find(secret, at + 3))
        text.replace(at, secret.size(), "***");
    return text;
}

} // namespace cpamd::alerts::detail
