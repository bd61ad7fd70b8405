// alerts::send_mail against a real SMTP server: aiosmtpd (python3-aiosmtpd) as a child process
// that writes each message it accepts as a JSON line, parsed back with Python's e-mail parser.
// Plain, AUTH (PLAIN), STARTTLS and implicit TLS with a self-signed certificate, and the failures:
// refused connection, a silent server, a rejected recipient, header injection.

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <cpamd/alerts/smtp.hpp>
#include <cpamd/test/child_process.hpp>
#include <cpamd/test/ports.hpp>
#include <cpamd/test/temp_dir.hpp>
#include <fmt/format.h>
#include <fstream>
#include <memory>
#include <sstream>
#include <thread>

using namespace cpamd::alerts;
using namespace cpamd::test;
using namespace std::chrono_literals;
namespace asio = boost::asio;
namespace json = boost::json;

namespace
{

// The sink: one JSON line per accepted message in --out.
constexpr const char* sink_script = R"PY(
import argparse, email, email.policy, json, ssl, sys, time
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

ap = argparse.ArgumentParser()
ap.add_argument('--port', type=int, required=True)
ap.add_argument('--out', required=True)
ap.add_argument('--user')
ap.add_argument('--password')
ap.add_argument('--cert')
ap.add_argument('--key')
ap.add_argument('--implicit-tls', action='store_true')
ap.add_argument('--reject', action='append', default=[])
a = ap.parse_args()

class Sink:
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in a.reject:
            return '550 no such user'
        envelope.rcpt_tos.append(address)
        return '250 OK'

    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        tls = session.ssl is not None or server.transport.get_extra_info('sslcontext') is not None
        rec = {
            'mail_from': envelope.mail_from,
            'rcpt_tos': envelope.rcpt_tos,
            'content': envelope.content.decode('utf-8', 'replace'),
            'subject': str(msg['subject']),
            'body': msg.get_content().replace('\r\n', '\n'),
            'headers': {k: str(v) for k, v in msg.items()},
            'tls': tls,
            'authenticated': bool(session.authenticated),
        }
        with open(a.out, 'a') as f:
            f.write(json.dumps(rec) + '\n')
        return '250 OK'

def authenticator(server, session, envelope, mechanism, auth_data):
    ok = auth_data.login == a.user.encode() and auth_data.password == a.password.encode()
    # handled=False: aiosmtpd answers a failure with its 535 itself.
    return AuthResult(success=ok, handled=False)

kw = {}
if a.user:
    kw.update(authenticator=authenticator, auth_require_tls=False)
if a.cert:
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(a.cert, a.key)
    if a.implicit_tls:
        kw['ssl_context'] = ctx
    else:
        kw.update(tls_context=ctx, require_starttls=True)
c = Controller(Sink(), hostname='127.0.0.1', port=a.port, **kw)
c.start()
print('ready', flush=True)
while True:
    time.sleep(3600)
)PY";

// A self-signed certificate for CN=localhost, made once per run.
struct certificate
{
    temp_dir dir;
    std::string cert = (dir / "cert.pem").string();
    std::string key = (dir / "key.pem").string();

    certificate()
    {
        auto cmd = fmt::format(
            "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost "
            "-addext subjectAltName=DNS:localhost -keyout '{}' -out '{}' >/dev/null 2>&1",
            key,
            cert
        );
        REQUIRE(std::system(cmd.c_str()) == 0);
    }
};

const certificate& test_certificate()
{
    static const certificate c;
    return c;
}

bool can_connect(std::uint16_t port)
{
    asio::io_context ioc;
    asio::ip::tcp::socket s(ioc);
    boost::system::error_code ec;
    s.connect({asio::ip::make_address("127.0.0.1"), port}, ec);
    return !ec;
}

struct sink_options
{
    std::string user, password;
    bool starttls = false;
    bool implicit_tls = false;
    std::vector<std::string> reject;
};

class smtp_sink
{
public:
    explicit smtp_sink(sink_options o = {}) : port_(free_port())
    {
        std::ofstream(dir_ / "sink.py") << sink_script;
        process_options p;
        p.args = {(dir_ / "sink.py").string(), "--port", std::to_string(port_), "--out", out_path()};
        if (!o.user.empty())
            p.args.insert(p.args.end(), {"--user", o.user, "--password", o.password});
        if (o.starttls || o.implicit_tls)
            p.args.insert(p.args.end(), {"--cert", test_certificate().cert, "--key", test_certificate().key});
        if (o.implicit_tls)
            p.args.push_back("--implicit-tls");
        for (const auto& r : o.reject)
            p.args.insert(p.args.end(), {"--reject", r});
        proc_ = std::make_unique<child_process>("/usr/bin/python3", std::move(p));
        const auto until = std::chrono::steady_clock::now() + 15s;
        while (!can_connect(port_))
        {
            INFO(proc_->output());
            REQUIRE(proc_->running());
            REQUIRE(std::chrono::steady_clock::now() < until);
            std::this_thread::sleep_for(50ms);
        }
    }

    std::uint16_t port() const { return port_; }

    smtp_server server(smtp_server::security mode = smtp_server::security::none) const
    {
        smtp_server s;
        s.host = "127.0.0.1";
        s.port = port_;
        s.mode = mode;
        return s;
    }

    // The messages received so far.
    std::vector<json::object> messages() const
    {
        std::vector<json::object> out;
        std::ifstream in(out_path());
        for (std::string line; std::getline(in, line);)
            out.push_back(json::parse(line).as_object());
        return out;
    }

private:
    std::string out_path() const { return (dir_ / "messages.jsonl").string(); }

    temp_dir dir_;
    std::uint16_t port_;
    std::unique_ptr<child_process> proc_;
};

std::string send(smtp_server server, mail_message message, std::chrono::milliseconds timeout = 10s)
{
    asio::io_context ioc;
    std::optional<std::string> out;
    asio::co_spawn(
        ioc,
        send_mail(std::move(server), std::move(message), timeout),
        [&](std::exception_ptr e, std::string r)
        {
            if (!e)
                out = std::move(r);
        }
    );
    ioc.run();
    REQUIRE(out);
    return *out;
}

mail_message note(std::string subject = "disk almost full", std::string body = "Used: 91%\n")
{
    mail_message m;
    m.from = "cpamd <alerts@example.org>";
    m.to = {"ops@example.org"};
    m.subject = std::move(subject);
    m.body = std::move(body);
    return m;
}

std::string str(const json::value& v)
{
    return std::string(v.as_string());
}

} // namespace

TEST_CASE("a plain message arrives with its envelope, headers and body", "[smtp]")
{
    smtp_sink sink;
    auto m = note("disk almost full", "first line\n.leading dot\n..two dots\n.\nlast line");
    m.to = {"ops@example.org", "Second One <second@example.org>"};
    REQUIRE(send(sink.server(), m) == "");

    auto got = sink.messages();
    REQUIRE(got.size() == 1);
    const auto& msg = got[0];
    CHECK(str(msg.at("mail_from")) == "alerts@example.org");
    const auto& rcpt = msg.at("rcpt_tos").as_array();
    REQUIRE(rcpt.size() == 2);
    CHECK(str(rcpt[0]) == "ops@example.org");
    CHECK(str(rcpt[1]) == "second@example.org");
    CHECK(str(msg.at("subject")) == "disk almost full");
    // Dot-stuffed on the wire, whole again after the server removed the stuffing.
    CHECK(str(msg.at("body")) == "first line\n.leading dot\n..two dots\n.\nlast line\n");
    const auto& headers = msg.at("headers").as_object();
    CHECK(str(headers.at("From")) == "cpamd <alerts@example.org>");
    CHECK(str(headers.at("To")) == "ops@example.org, Second One <second@example.org>");
    CHECK(str(headers.at("MIME-Version")) == "1.0");
    CHECK(str(headers.at("Content-Transfer-Encoding")) == "7bit");
    CHECK(str(headers.at("Message-ID")).ends_with("@cpamd>"));
    CHECK(str(headers.at("Date")).ends_with(" +0000"));
    auto content = str(msg.at("content"));
    CHECK(content.find("\r\nContent-Type: text/plain; charset=UTF-8\r\n") != std::string::npos);
    CHECK(content.find("\r\n\r\nfirst line\r\n.leading dot\r\n") != std::string::npos);
    CHECK_FALSE(msg.at("tls").as_bool());
    CHECK_FALSE(msg.at("authenticated").as_bool());
}

TEST_CASE("a non-ASCII subject and body travel encoded and decode back", "[smtp]")
{
    smtp_sink sink;
    // Long enough for several encoded words, each cut on a character boundary.
    const std::string subject = "Speicher fast voll – 磁盘快满了 – ディスクがほぼ満杯です (91%)";
    const std::string body = "Größe: 91 %\n.Punkt am Anfang\n磁盘\n";
    REQUIRE(send(sink.server(), note(subject, body)) == "");
    auto got = sink.messages();
    REQUIRE(got.size() == 1);
    CHECK(str(got[0].at("subject")) == subject);
    CHECK(str(got[0].at("body")) == body);
    auto content = str(got[0].at("content"));
    CHECK(content.find("Subject: =?UTF-8?B?") != std::string::npos);
    CHECK(str(got[0].at("headers").at("Content-Transfer-Encoding")) == "base64");
}

TEST_CASE("AUTH: the right password is accepted, a wrong one is a 535 without the password", "[smtp]")
{
    smtp_sink sink({.user = "alerter", .password = "s3cret-pw"});
    auto server = sink.server();
    server.username = "alerter";
    server.password = "s3cret-pw";
    REQUIRE(send(server, note()) == "");
    auto got = sink.messages();
    REQUIRE(got.size() == 1);
    CHECK(got[0].at("authenticated").as_bool());

    server.password = "wrong-pw";
    auto err = send(server, note());
    INFO(err);
    CHECK(err.starts_with(fmt::format("smtp 127.0.0.1:{}: AUTH PLAIN: 535", sink.port())));
    CHECK(err.find("wrong-pw") == std::string::npos);
    CHECK(sink.messages().size() == 1);
}

TEST_CASE("AUTH: a user name for a server that offers no AUTH fails clearly", "[smtp]")
{
    smtp_sink sink;
    auto server = sink.server();
    server.username = "alerter";
    server.password = "pw";
    auto err = send(server, note());
    INFO(err);
    CHECK(err.find("AUTH: the server offers no authentication") != std::string::npos);
    CHECK(sink.messages().empty());
}

TEST_CASE("STARTTLS: works when verification is skipped, fails verification otherwise", "[smtp]")
{
    smtp_sink sink({.user = "alerter", .password = "pw", .starttls = true});
    auto server = sink.server(smtp_server::security::starttls);
    server.host = "localhost"; // the certificate's name, so only its issuer fails verification
    server.username = "alerter";
    server.password = "pw";
    server.tls_skip_verify = true;
    REQUIRE(send(server, note()) == "");
    auto got = sink.messages();
    REQUIRE(got.size() == 1);
    CHECK(got[0].at("tls").as_bool());
    CHECK(got[0].at("authenticated").as_bool());

    server.tls_skip_verify = false;
    auto err = send(server, note());
    INFO(err);
    CHECK(err.starts_with(
        fmt::format("smtp localhost:{}: TLS handshake: certificate verify failed", sink.port())
    ));
    CHECK(err.find("self-signed") != std::string::npos);
    CHECK(sink.messages().size() == 1);
}

TEST_CASE("STARTTLS: a server that does not offer it is refused", "[smtp]")
{
    smtp_sink sink;
    auto err = send(sink.server(smtp_server::security::starttls), note());
    INFO(err);
    CHECK(err == fmt::format("smtp 127.0.0.1:{}: STARTTLS: not offered by the server", sink.port()));
    CHECK(sink.messages().empty());
}

TEST_CASE("implicit TLS (port 465 style)", "[smtp]")
{
    smtp_sink sink({.implicit_tls = true});
    auto server = sink.server(smtp_server::security::tls);
    server.tls_skip_verify = true;
    REQUIRE(send(server, note()) == "");
    auto got = sink.messages();
    REQUIRE(got.size() == 1);
    CHECK(got[0].at("tls").as_bool());

    server.tls_skip_verify = false;
    auto err = send(server, note());
    INFO(err);
    CHECK(err.find("TLS handshake: certificate verify failed") != std::string::npos);
}

TEST_CASE("a rejected recipient is named with the server's reply", "[smtp]")
{
    smtp_sink sink({.reject = {"nobody@example.org"}});
    auto m = note();
    m.to = {"ops@example.org", "nobody@example.org"};
    auto err = send(sink.server(), m);
    CHECK(
        err == fmt::format("smtp 127.0.0.1:{}: RCPT TO <nobody@example.org>: 550 no such user", sink.port())
    );
    CHECK(sink.messages().empty());
}

TEST_CASE("nothing listening: a connect error, quickly", "[smtp]")
{
    smtp_server server;
    server.host = "127.0.0.1";
    server.port = free_port();
    server.mode = smtp_server::security::none;
    const auto start = std::chrono::steady_clock::now();
    auto err = send(server, note(), 5s);
    CHECK(std::chrono::steady_clock::now() - start < 2s);
    CHECK(err == fmt::format("smtp 127.0.0.1:{}: connect: Connection refused", server.port));
}

TEST_CASE("a server that never answers hits the deadline", "[smtp]")
{
    // Listening is enough: the kernel completes the handshake, nobody ever writes the greeting.
    asio::io_context listener_ioc;
    asio::ip::tcp::acceptor silent(listener_ioc, {asio::ip::make_address("127.0.0.1"), 0});
    smtp_server server;
    server.host = "127.0.0.1";
    server.port = silent.local_endpoint().port();
    server.mode = smtp_server::security::none;
    const auto start = std::chrono::steady_clock::now();
    auto err = send(server, note(), 500ms);
    const auto took = std::chrono::steady_clock::now() - start;
    CHECK(took >= 450ms);
    CHECK(took < 1s);
    CHECK(err == fmt::format("smtp 127.0.0.1:{}: greeting: timed out after 500 ms", server.port));
}

TEST_CASE("a reply longer than 64 KiB is cut off", "[smtp]")
{
    // A hostile greeting: one endless line, or endless continuation lines.
    auto greeting = GENERATE(
        std::string(200 * 1024, 'a'),
        []
        {
            std::string lines;
            while (lines.size() < 200 * 1024)
                lines += "220-" + std::string(60, 'x') + "\r\n";
            return lines;
        }()
    );
    asio::io_context listener_ioc;
    asio::ip::tcp::acceptor listener(listener_ioc, {asio::ip::make_address("127.0.0.1"), 0});
    std::thread hostile(
        [&]
        {
            asio::ip::tcp::socket peer(listener_ioc);
            boost::system::error_code ec;
            listener.accept(peer, ec);
            asio::write(peer, asio::buffer(greeting), ec); // ends when the client hangs up
        }
    );
    smtp_server server;
    server.host = "127.0.0.1";
    server.port = listener.local_endpoint().port();
    server.mode = smtp_server::security::none;
    auto err = send(server, note(), 5s);
    hostile.join();
    CHECK(err == fmt::format("smtp 127.0.0.1:{}: greeting: reply longer than 64 KiB", server.port));
}

TEST_CASE("CR or LF in a header field is refused without connecting", "[smtp]")
{
    asio::io_context listener_ioc;
    asio::ip::tcp::acceptor listener(listener_ioc, {asio::ip::make_address("127.0.0.1"), 0});
    listener.non_blocking(true);
    smtp_server server;
    server.host = "127.0.0.1";
    server.port = listener.local_endpoint().port();
    server.mode = smtp_server::security::none;

    auto injected = note("alert\r\nBcc: victim@example.org");
    CHECK(send(server, injected).ends_with(": invalid message: the subject contains CR or LF"));
    auto bare_lf = note("alert\nX-Evil: 1");
    CHECK(send(server, bare_lf).ends_with(": invalid message: the subject contains CR or LF"));
    auto bad_to = note();
    bad_to.to = {"ops@example.org\r\nRCPT TO:<victim@example.org>"};
    CHECK(send(server, bad_to).ends_with(": invalid message: a recipient contains CR or LF"));
    auto bad_from = note();
    bad_from.from = "a@b\nX: y";
    CHECK(send(server, bad_from).ends_with(": invalid message: the sender contains CR or LF"));
    auto nobody = note();
    nobody.to.clear();
    CHECK(send(server, nobody).ends_with(": invalid message: no recipient"));

    asio::ip::tcp::socket peer(listener_ioc);
    boost::system::error_code ec;
    listener.accept(peer, ec);
    CHECK(ec == asio::error::would_block); // nobody connected
}
