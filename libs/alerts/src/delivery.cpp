#include <algorithm>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/serialize.hpp>
#include <cpamd/alerts/delivery.hpp>
#include <cpamd/alerts/smtp.hpp>
#include <cpamd/proxy/url_fetch.hpp>
#include <cpamd/security/mask.hpp>
#include <ctime>
#include <fmt/chrono.h>
#include <fmt/format.h>

namespace cpamd::alerts
{
namespace
{

namespace asio = boost::asio;
namespace json = boost::json;

std::string iso_time(std::int64_t ms)
{
    const std::time_t t = static_cast<std::time_t>(ms / 1000);
    return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", fmt::gmtime(t));
}

std::string upper(std::string s)
{
    std::transform(
        s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); }
    );
    return s;
}

std::string webhook_body(const notice& n)
{
    json::object o;
    o["source"] = "cpamd";
    o["event"] = n.event;
    o["rule"] = json::object{{"id", n.rule}, {"name", n.rule_name}, {"kind", n.kind}};
    o["subject"] = n.subject;
    o["level"] = n.level;
    o["value"] = n.value;
    o["threshold"] = n.threshold;
    o["message"] = n.message;
    o["title"] = notice_title(n);
    o["at"] = iso_time(n.at_ms);
    o["atMs"] = n.at_ms;
    o["sinceMs"] = n.since_ms;
    return json::serialize(o);
}

// What one HTTP sink is sent.
struct http_post
{
    std::string url, body, content_type = "application/json";
    std::vector<std::pair<std::string, std::string>> headers;
    std::string shown_url; // replaces `url` in error texts when the URL holds a secret
};

http_post request_for(const sink& s, const notice& n)
{
    http_post p;
    switch (s.kind)
    {
    case sink_kind::webhook:
        p.url = s.url;
        p.body = webhook_body(n);
        p.headers = s.headers;
        break;
    case sink_kind::slack:
        p.url = s.url;
        p.body = json::serialize(json::object{{"text", "*" + notice_title(n) + "*\n" + notice_body(n)}});
        p.shown_url = security::mask_secret(s.url);
        break;
    case sink_kind::telegram:
    {
        std::string base = s.api_base;
        while (!base.empty() && base.back() == '/')
            base.pop_back();
        p.url = base + "/bot" + s.bot_token + "/sendMessage";
        p.shown_url = base + "/bot" + security::mask_secret(s.bot_token) + "/sendMessage";
        p.body = json::serialize(json::object{
            {"chat_id", s.chat_id},
            {"text", notice_title(n) + "\n" + notice_body(n)},
            {"disable_web_page_preview", true}});
        break;
    }
    case sink_kind::ntfy:
        p.url = s.url;
        p.body = notice_body(n);
        p.content_type = "text/plain; charset=utf-8";
        p.headers = {
            {"Title", notice_title(n)},
            {"Priority", n.event == "firing" && n.level == "critical" ? "high" : "default"},
            {"Tags",
             n.event == "resolved" ? "white_check_mark"
             : n.event == "test"   ? "bell"
                                   : "warning"}};
        if (!s.token.empty())
            p.headers.emplace_back("Authorization", "Bearer " + s.token);
        break;
    case sink_kind::smtp:
        break;
    }
    return p;
}

std::string without_secret(std::string error, const http_post& p)
{
    if (!p.shown_url.empty())
        for (auto at = error.find(p.url); at != std::string::npos;
             at = error.find(p.url, at + p.shown_url.size()))
            error.replace(at, p.url.size(), p.shown_url);
    return error;
}

// One HTTP(S) POST; "" on a 2xx answer.
asio::awaitable<std::string> post(http_post p, std::chrono::milliseconds timeout)
{
    proxy::fetch_request req;
    req.url = p.url;
    req.post = true;
    req.body = p.body;
    req.content_type = p.content_type;
    req.headers = p.headers;
    req.timeout = timeout;
    req.body_limit = 64 * 1024;
    auto r = co_await proxy::fetch_url(std::move(req));
    std::string error;
    if (!r.response)
        error = r.error;
    else if (r.response->status < 200 || r.response->status >= 300)
        error = "POST " + p.url + ": " + r.response->reason;
    co_return without_secret(std::move(error), p);
}

smtp_server smtp_of(const sink& s)
{
    smtp_server server;
    server.host = s.host;
    server.port = static_cast<unsigned short>(s.port);
    server.mode = s.security == "tls"    ? smtp_server::security::tls
                  : s.security == "none" ? smtp_server::security::none
                                         : smtp_server::security::starttls;
    server.username = s.username;
    server.password = s.password;
    return server;
}

asio::awaitable<std::string> attempt(const sink& s, const notice& n, std::chrono::milliseconds timeout)
{
    if (s.kind != sink_kind::smtp)
        co_return co_await post(request_for(s, n), timeout);
    mail_message m{s.from, s.to, notice_title(n), notice_body(n) + "\n\n-- \ncpamd\n"};
    co_return co_await send_mail(smtp_of(s), std::move(m), timeout);
}

} // namespace

std::string notice_title(const notice& n)
{
    const auto what = n.event == "firing" && n.level == "warning" ? std::string("WARNING") : upper(n.event);
    auto title = fmt::format(
        "[cpamd] {} {}{}",
        what,
        n.rule_name.empty() ? n.rule : n.rule_name,
        n.subject == "all" ? "" : ": " + n.subject
    );
    // It also travels as a header (ntfy) and an e-mail subject: one line.
    std::replace_if(
        title.begin(), title.end(), [](unsigned char c) { return c < 0x20 || c == 0x7f; }, ' '
    );
    return title;
}

std::string notice_body(const notice& n)
{
    return fmt::format("{}\nRule {} ({}), at {}.", n.message, n.rule, n.kind, iso_time(n.at_ms));
}

asio::awaitable<delivery_result> deliver(sink to, notice n, delivery_settings settings)
{
    delivery_result out;
    out.sink = to.id;
    auto pause = settings.first_pause;
    asio::steady_timer timer(co_await asio::this_coro::executor);
    for (int i = 0; i <= settings.retries; ++i)
    {
        if (i > 0)
        {
            timer.expires_after(pause);
            co_await timer.async_wait(asio::use_awaitable);
            pause = std::min<std::chrono::milliseconds>(pause * 2, std::chrono::seconds(60));
        }
        ++out.attempts;
        out.error = co_await attempt(to, n, settings.timeout);
        if (out.error.empty())
        {
            out.ok = true;
            break;
        }
    }
    co_return out;
}

} // namespace cpamd::alerts
