// /_sim/* control API: faults, restart, pause, retention, refresh, enqueue, stats, request log.
// Loopback peers only, and only with --control-key (sent as Bearer).

#include "auth_guard.hpp"
#include "generator.hpp"
#include "routes.hpp"

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <fmt/format.h>

namespace cpamd::sim
{
namespace
{

namespace json = boost::json;
namespace http = boost::beast::http;

reply ok()
{
    return json_reply(200, json::object{{"status", "ok"}});
}
reply bad(std::string_view msg)
{
    return json_reply(400, json::object{{"error", msg}});
}

json::object stats_json(const sim_context& ctx)
{
    const auto& s = ctx.queue.stats();
    const auto& f = ctx.faults;
    return json::object{
        {"queue_depth", ctx.queue.depth()},
        {"produced", s.produced},
        {"queued", s.queued},
        {"delivered",
         json::object{
             {"pop_http", s.delivered_pop_http},
             {"pop_resp", s.delivered_pop_resp},
             {"subscriber", s.delivered_subscriber},
             {"total", s.delivered_pop_http + s.delivered_pop_resp + s.delivered_subscriber}}},
        {"expired", s.expired},
        {"lost", s.lost},
        {"discarded", s.discarded},
        {"overflow_disconnects", s.overflow_disconnects},
        {"subscribers",
         json::object{
             {"usage", ctx.queue.subscriber_count("usage")},
             {"errors", ctx.queue.subscriber_count("errors")}}},
        {"connections", ctx.connections.size()},
        {"restarts", ctx.restarts},
        {"paused", ctx.paused},
        {"generator_done", ctx.generator_done},
        {"retention_seconds", ctx.queue.retention_seconds()},
        {"usage_statistics_enabled", ctx.config.usage_statistics_enabled},
        {"faults",
         json::object{
             {"delay_ms", f.delay_ms},
             {"fail_500", f.fail_500},
             {"drop_mid_response", f.drop_mid_response},
             {"old_cpa", f.old_cpa},
             {"resp_disabled", f.resp_disabled},
             {"over_answer", f.over_answer},
             {"garbage_bytes", f.garbage_bytes},
             {"subscribe_garbage", f.subscribe_garbage}}},
    };
}

bool read_int(const json::object& o, std::string_view key, int& out)
{
    auto* v = o.if_contains(key);
    if (!v)
        return true;
    if (!v->is_int64())
        return false;
    out = static_cast<int>(v->as_int64());
    return true;
}

bool read_bool(const json::object& o, std::string_view key, bool& out)
{
    auto* v = o.if_contains(key);
    if (!v)
        return true;
    if (!v->is_bool())
        return false;
    out = v->as_bool();
    return true;
}

reply faults_route(sim_context& ctx, const http_request& req)
{
    boost::system::error_code ec;
    auto v = json::parse(req.body(), ec);
    if (ec || !v.is_object())
        return bad("body must be a JSON object");
    auto next = ctx.faults;
    const auto& o = v.as_object();
    if (!read_int(o, "delay_ms", next.delay_ms) || !read_int(o, "fail_500", next.fail_500) ||
        !read_int(o, "drop_mid_response", next.drop_mid_response) || !read_bool(o, "old_cpa", next.old_cpa) ||
        !read_bool(o, "resp_disabled", next.resp_disabled) || !read_int(o, "over_answer", next.over_answer) ||
        !read_int(o, "garbage_bytes", next.garbage_bytes) ||
        !read_bool(o, "subscribe_garbage", next.subscribe_garbage) || next.over_answer < 0 ||
        next.garbage_bytes < 0)
        return bad("invalid fault field");
    ctx.faults = next;
    return json_reply(200, stats_json(ctx).at("faults"));
}

reply enqueue_route(sim_context& ctx, const http_request& req)
{
    // One record verbatim (it need not even be valid JSON), or NDJSON with ?split=lines.
    // The usage-statistics gate applies unless ?force=true.
    bool force = query_param(req.target(), "force") == "true";
    std::vector<std::string> records;
    if (query_param(req.target(), "split") == "lines")
    {
        std::size_t pos = 0;
        const auto& b = req.body();
        while (pos < b.size())
        {
            auto nl = b.find('\n', pos);
            std::string line = b.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
            pos = nl == std::string::npos ? b.size() : nl + 1;
            if (!line.empty() && line.back() == '\r')
                line.pop_back();
            if (!line.empty())
                records.push_back(std::move(line));
        }
    }
    else if (!req.body().empty())
        records.push_back(req.body());
    if (records.empty())
        return bad("no records");
    json::array seqs;
    for (auto& r : records)
    {
        auto seq = ctx.queue.produce(r, "control");
        seqs.push_back(seq);
        if (ctx.config.usage_statistics_enabled || force)
            ctx.queue.enqueue(seq, std::move(r));
        else
            ctx.queue.discard(seq, "usage-statistics-disabled");
    }
    return json_reply(200, json::object{{"status", "ok"}, {"seqs", std::move(seqs)}});
}

} // namespace

reply handle_control_request(sim_context& ctx, const http_request& req, const request_info& info)
{
    if (ctx.opts.control_key.empty())
    {
        reply r;
        r.status = 404;
        r.set("Content-Type", "text/plain");
        r.body = "404 page not found";
        return r;
    }
    if (!auth_guard::is_local(info.peer_ip))
        return json_reply(403, json::object{{"error", "control API is loopback only"}});
    std::string auth(req[http::field::authorization]);
    const bool bearer =
        auth.size() > 7 && (auth.compare(0, 7, "Bearer ") == 0 || auth.compare(0, 7, "bearer ") == 0);
    if (!bearer || !secret_equal(auth.substr(7), ctx.opts.control_key))
        return json_reply(401, json::object{{"error", "invalid control key"}});

    const std::string path = target_path(req.target());
    const auto m = req.method();
    using http::verb;
    if (path == "/_sim/stats" && m == verb::get)
        return json_reply(200, stats_json(ctx));
    if (path == "/_sim/last-requests")
    {
        if (m == verb::delete_)
        {
            ctx.requests.clear();
            return ok();
        }
        std::string n = query_param(req.target(), "n");
        return json_reply(
            200, ctx.requests.to_json(n.empty() ? 50 : static_cast<std::size_t>(std::atoll(n.c_str())))
        );
    }
    if (m != verb::post)
        return json_reply(404, json::object{{"error", "unknown control route"}});
    if (path == "/_sim/faults")
        return faults_route(ctx, req);
    if (path == "/_sim/restart")
    {
        ctx.restart_pending = true; // after this reply, so the caller gets its 200
        return ok();
    }
    if (path == "/_sim/pause" || path == "/_sim/resume")
    {
        ctx.paused = path == "/_sim/pause";
        return ok();
    }
    if (path == "/_sim/retention")
    {
        boost::system::error_code ec;
        auto v = json::parse(req.body(), ec);
        if (ec || !v.is_object() || !v.as_object().contains("seconds") ||
            !v.as_object().at("seconds").is_int64())
            return bad(R"(body must be {"seconds":N})");
        ctx.queue.set_retention(normalise_retention(v.as_object().at("seconds").as_int64()));
        return json_reply(200, json::object{{"retention_seconds", ctx.queue.retention_seconds()}});
    }
    if (path == "/_sim/refresh")
    {
        ctx.broadcast_refresh();
        return ok();
    }
    if (path == "/_sim/enqueue")
        return enqueue_route(ctx, req);
    if (path == "/_sim/error-event")
    {
        ctx.queue.publish_error_event(req.body());
        return ok();
    }
    if (path == "/_sim/logs")
    {
        // Appends synthetic log lines: ?lines=N&bytes=M (each line about M bytes).
        long long lines = std::atoll(query_param(req.target(), "lines").c_str());
        long long bytes = std::atoll(query_param(req.target(), "bytes").c_str());
        for (long long i = 0; i < lines; ++i)
        {
            std::string line = fmt::format("synthetic log line {}", i);
            if (bytes > static_cast<long long>(line.size()))
                line.append(static_cast<std::size_t>(bytes) - line.size(), 'x');
            ctx.add_log_line(line);
        }
        return ok();
    }
    return json_reply(404, json::object{{"error", "unknown control route"}});
}

} // namespace cpamd::sim
