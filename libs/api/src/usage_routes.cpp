#include "import_sessions.hpp"
#include "stream_reply.hpp"
#include "usage_context.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/read.hpp>
#include <charconv>
#include <cpamd/analytics/usage_payload.hpp>
#include <cpamd/api/usage_import.hpp>
#include <cpamd/api/usage_routes.hpp>
#include <cpamd/core/hex.hpp>
#include <cpamd/core/log.hpp>
#include <cpamd/store/event_reader.hpp>
#include <cpamd/usage/export_codec.hpp>
#include <exception>
#include <fstream>
#include <optional>
#include <random>

namespace cpamd::api
{
namespace
{

namespace asio = boost::asio;
namespace bhttp = boost::beast::http;
using detail::usage_context;
using ctx_ptr = std::shared_ptr<usage_context>;

constexpr std::size_t piece_bytes = 64 * 1024;
constexpr auto body_idle_timeout = std::chrono::seconds(30);

// Ends the read transaction of a leased reader (also after an error) so the connection goes back
// to the pool without an old snapshot.
void end_read(store::connection& c) noexcept
{
    try
    {
        if (!sqlite3_get_autocommit(c.handle()))
            c.exec("ROLLBACK");
    }
    catch (...)
    {
    }
}

http::response internal_error(const char* what)
{
    return http::error_reply(500, "request_failed", what);
}

// Streams a chunked response read from one snapshot on a leased reader. On the reader thread:
// `open(c)` runs right after BEGIN, `next(piece)` fills a piece and says whether more follow, and
// `close()` drops what open made before the snapshot ends (also after an error). A failure before
// the header went out is answered 500 `error_text`; after it, the connection is cut, which is
// how a client of a chunked body learns it is truncated.
template <class Open, class Next, class Close>
asio::awaitable<void> stream_snapshot(
    ctx_ptr ctx,
    http::exchange& ex,
    bhttp::response<bhttp::empty_body> head,
    const char* route,
    const char* error_text,
    Open open,
    Next next,
    Close close
)
{
    auto& readers = ctx->svc.db.readers();
    const auto& cors = ctx->svc.cfg.cors_origins;
    auto lease = readers.acquire();
    detail::chunked_writer out(ex, cors);
    std::exception_ptr failure;
    try
    {
        co_await readers.run_on(
            lease,
            [&](store::connection& c)
            {
                c.exec("BEGIN"); // one snapshot for everything the response holds
                open(c);
                return 0;
            }
        );
        if (co_await out.begin(std::move(head)))
        {
            bool more = true;
            while (more)
            {
                std::string piece;
                more = co_await readers.run_on(lease, [&](store::connection&) { return next(piece); });
                if (!co_await out.chunk(piece))
                    break;
                if (!more)
                    co_await out.end();
            }
        }
    }
    catch (const std::exception& e)
    {
        log::error("{}: {}", route, e.what());
        failure = std::current_exception();
    }
    co_await readers.run_on(
        lease,
        [&](store::connection& c)
        {
            close();
            end_read(c);
            return 0;
        }
    );
    if (failure)
    {
        if (out.started())
            ex.close_after = true;
        else
            co_await detail::send_reply(ex, internal_error(error_text), cors);
    }
}

// ---- GET /v0/management/usage ---------------------------------------------------------------

asio::awaitable<void> handle_usage(ctx_ptr ctx, http::exchange& ex)
{
    std::optional<analytics::usage_payload> payload;
    const std::int64_t window = analytics::usage_window(ctx->svc.cfg.query_limit);
    bhttp::response<bhttp::empty_body> head{bhttp::status::ok, 11};
    head.set(bhttp::field::content_type, "application/json");
    // Named, not temporaries in the co_await expression (g++ 12 destroys those twice).
    auto open = [&](store::connection& c) { payload.emplace(c, window); };
    auto next = [&](std::string& piece) { return payload->next(piece, piece_bytes); };
    auto close = [&] { payload.reset(); };
    co_await stream_snapshot(
        ctx, ex, std::move(head), "GET /v0/management/usage", "usage query failed", open, next, close
    );
}

// ---- GET /v0/management/usage/export --------------------------------------------------------

asio::awaitable<void> handle_export(ctx_ptr ctx, http::exchange& ex)
{
    const auto& cors = ctx->svc.cfg.cors_origins;
    store::time_range range;
    for (const char* key : {"from", "to"})
        if (auto v = ex.query_value(key); v && !v->empty())
        {
            auto ms = parse_ms(*v);
            if (!ms)
            {
                co_await detail::send_reply(
                    ex,
                    http::error_reply(
                        400, "invalid_request", fmt::format("invalid {}: expected Unix milliseconds", key)
                    ),
                    cors
                );
                co_return;
            }
            (std::string_view(key) == "from" ? range.from_ms : range.to_ms) = *ms;
        }

    std::optional<store::event_cursor> cursor;
    const std::int64_t limit = ctx->svc.cfg.query_limit;
    bhttp::response<bhttp::empty_body> head{bhttp::status::ok, 11};
    head.set(bhttp::field::content_type, "application/x-ndjson");
    head.set(bhttp::field::content_disposition, "attachment; filename=\"usage-events.jsonl\"");
    auto open = [&](store::connection& c)
    { cursor.emplace(c, store::event_order::oldest_first, limit, range); };
    auto next = [&](std::string& piece)
    {
        store::stored_event row;
        while (piece.size() < piece_bytes)
        {
            if (!cursor->next(row))
                return false;
            usage::append_export_line(piece, row.ev);
        }
        return true;
    };
    auto close = [&] { cursor.reset(); };
    co_await stream_snapshot(
        ctx, ex, std::move(head), "GET /v0/management/usage/export", "usage export failed", open, next, close
    );
}

// ---- POST /v0/management/usage/import -------------------------------------------------------

// The spooled body: removed when the import is over, whatever happened.
struct spool_file
{
    std::filesystem::path path;
    ~spool_file()
    {
        std::error_code ec;
        if (!path.empty())
            std::filesystem::remove(path, ec);
    }
};

std::string random_hex(std::size_t bytes)
{
    static thread_local std::mt19937_64 rng{std::random_device{}()};
    std::string raw(bytes, '\0');
    for (auto& b : raw)
        b = static_cast<char>(rng() & 0xff);
    return hex::encode(raw);
}

http::response report_reply(const import_report& rep)
{
    return http::json_reply(rep.status, rep.to_json());
}

asio::awaitable<void> handle_import(ctx_ptr ctx, http::exchange& ex)
{
    const auto& cors = ctx->svc.cfg.cors_origins;
    auto& c = *ex.connection();
    if (auto len = c.parser.content_length(); len && *len > import_body_limit)
    {
        co_await detail::send_reply(ex, http::body_too_large_reply(import_body_limit), cors, true);
        co_return;
    }

    auto dir = detail::imports_dir(ctx->svc.cfg);
    std::error_code ec;
    detail::ensure_private_dir(dir, ec);
    spool_file spool{dir / ("upload-" + random_hex(16) + ".part")};
    std::ofstream file(spool.path, std::ios::binary | std::ios::trunc);
    if (ec || !file)
    {
        co_await detail::send_reply(ex, internal_error("cannot create the import spool file"), cors, true);
        co_return;
    }

    // Pass 1 while the body arrives: spool it to disk and validate it chunk by chunk.
    auto opts = usage::parse_options{usage::now_utc()};
    import_validator validator(opts);
    bhttp::request_parser<bhttp::buffer_body> p{std::move(c.parser)};
    p.body_limit(import_body_limit);
    std::vector<char> buf(piece_bytes);
    while (!p.is_done())
    {
        p.get().body().data = buf.data();
        p.get().body().size = buf.size();
        c.deadline.expires_after(body_idle_timeout);
        auto [rec, n] = co_await bhttp::async_read_some(c.stream, c.buffer, p, http::use_nothrow);
        if (rec == bhttp::error::need_buffer)
            rec = {};
        if (rec == bhttp::error::body_limit)
        {
            co_await detail::send_reply(ex, http::body_too_large_reply(import_body_limit), cors, true);
            co_return;
        }
        if (rec)
        {
            ex.close_after = true; // the client went away or sent garbage: nobody to answer
            co_return;
        }
        std::size_t got = buf.size() - p.get().body().size;
        if (got == 0)
            continue;
        file.write(buf.data(), static_cast<std::streamsize>(got));
        validator.feed(std::string_view(buf.data(), got));
    }
    file.close();
    if (!file)
    {
        co_await detail::send_reply(ex, internal_error("cannot write the import spool file"), cors);
        co_return;
    }
    auto checked = validator.finish();
    if (checked.status != 200)
    {
        co_await detail::send_reply(ex, report_reply(checked), cors);
        co_return;
    }

    // Pass 2 on the jobs thread: the body is valid, insert it.
    std::optional<import_report> rep;
    try
    {
        rep = co_await asio::co_spawn(
            ctx->jobs.get_executor(),
            insert_import_file(ctx->svc.db.writer(), spool.path, opts),
            asio::use_awaitable
        );
    }
    catch (const std::exception& e)
    {
        log::error("usage import: {}", e.what());
    }
    if (!rep)
    {
        co_await detail::send_reply(ex, internal_error("usage import failed"), cors);
        co_return;
    }
    if (rep->status == 500)
        log::error("usage import: {} (added {} before the failure)", rep->error, rep->added);
    co_await detail::send_reply(ex, report_reply(*rep), cors);
}

} // namespace

std::optional<std::int64_t> parse_ms(std::string_view s)
{
    std::int64_t v = 0;
    auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    if (s.empty() || r.ec != std::errc{} || r.ptr != s.data() + s.size())
        return std::nullopt;
    return v;
}

void add_usage_routes(http::router& r, services& svc)
{
    using http::bhttp::verb;
    auto ctx = std::make_shared<usage_context>(svc);
    http::route_options admin{.auth = http::auth_level::admin};
    r.add_stream(
        {verb::get},
        "/v0/management/usage",
        [ctx](http::exchange& ex) { return handle_usage(ctx, ex); },
        admin
    );
    // The short form operators type (curl /usage); the same answer.
    r.add_stream(
        {verb::get}, "/usage", [ctx](http::exchange& ex) { return handle_usage(ctx, ex); }, admin
    );
    r.add_stream(
        {verb::get},
        "/v0/management/usage/export",
        [ctx](http::exchange& ex) { return handle_export(ctx, ex); },
        admin
    );
    r.add_stream(
        {verb::post},
        "/v0/management/usage/import",
        [ctx](http::exchange& ex) { return handle_import(ctx, ex); },
        admin
    );
    detail::add_import_session_routes(r, ctx);
}

} // namespace cpamd::api
