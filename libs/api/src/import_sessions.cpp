#include "import_sessions.hpp"

#include "stream_reply.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <charconv>
#include <chrono>
#include <cpamd/api/usage_import.hpp>
#include <cpamd/core/log.hpp>
#include <cpamd/http/reply.hpp>
#include <fstream>
#include <random>

namespace cpamd::api::detail
{
namespace
{

namespace json = boost::json;
using ctx_ptr = std::shared_ptr<usage_context>;

std::int64_t now_ms()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch()
    )
        .count();
}

http::response session_error(unsigned status, std::string_view kind, std::string message)
{
    return http::error_reply(status, fmt::format("usage_import_session_{}", kind), std::move(message));
}

bool is_hex32(std::string_view s)
{
    if (s.size() != 32)
        return false;
    for (char c : s)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
            return false;
    return true;
}

std::string new_id()
{
    static thread_local std::mt19937_64 rng{std::random_device{}()};
    return fmt::format("{:016x}{:016x}", rng(), rng());
}

std::size_t rune_count(std::string_view s)
{
    std::size_t n = 0;
    for (unsigned char c : s)
        n += (c & 0xC0) != 0x80;
    return n;
}

std::string base_name(std::string_view name)
{
    auto slash = name.find_last_of("/\\");
    if (slash != std::string_view::npos)
        name.remove_prefix(slash + 1);
    return std::string(name);
}

asio::awaitable<http::response> reply_now(http::response r)
{
    co_return r;
}

// ---- the asynchronous import of a complete upload -----------------------------------------

asio::awaitable<void> run_session_import(ctx_ptr ctx, std::string id)
{
    auto& reg = *ctx->sessions;
    std::optional<import_report> rep;
    std::string failure;
    try
    {
        // Named arguments: g++ 12 destroys temporaries in a co_await expression twice.
        auto part = reg.part_path(id);
        usage::parse_options opts{usage::now_utc()};
        rep = co_await import_file(ctx->svc.db.writer(), part, opts);
    }
    catch (const std::exception& e)
    {
        failure = e.what();
    }
    std::lock_guard lock(reg.mutex());
    auto* s = reg.find(id);
    if (s == nullptr || s->status != "processing")
        co_return; // cancelled meanwhile
    s->updated_at_ms = now_ms();
    if (rep && rep->status == 200)
    {
        s->status = "completed";
        s->retryable = false;
        s->error.clear();
        s->result = rep->to_json();
        reg.drop_files(*s);
    }
    else
    {
        s->status = "failed";
        // Only a database failure is worth retrying: bad input stays bad.
        s->retryable = !rep || rep->status == 500;
        s->error = rep ? rep->error : failure;
        if (rep && rep->status != 500) // bad input (400, 413): the report says what and where
            s->result = rep->to_json();
        log::warn("usage import session {} failed: {}", id, s->error);
    }
    reg.save(*s);
}

// ---- handlers -------------------------------------------------------------------------------

http::response create_session(usage_context& ctx, const std::string& body)
{
    auto& reg = *ctx.sessions;
    json::error_code ec;
    auto v = json::parse(body, ec);
    const auto* o = ec ? nullptr : v.if_object();
    if (o == nullptr)
        return session_error(400, "invalid_request", "invalid import session request");
    const auto* fname = o->if_contains("filename");
    const auto* size = o->if_contains("size_bytes");
    const auto* rkey = o->if_contains("resume_key");
    if (fname == nullptr || !fname->is_string() || size == nullptr ||
        !(size->is_int64() || size->is_uint64()) ||
        (rkey != nullptr && !rkey->is_null() && !rkey->is_string()))
        return session_error(400, "invalid_request", "filename and size_bytes are required");
    std::int64_t size_bytes = size->is_int64() ? size->get_int64() : -1;
    if (size->is_uint64() && size->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
        size_bytes = static_cast<std::int64_t>(size->get_uint64());
    if (size_bytes <= 0)
        return session_error(400, "invalid_request", "size_bytes must be greater than 0");
    std::string filename = base_name(fname->get_string());
    if (filename.empty() || rune_count(filename) > 240)
        return session_error(
            400, "invalid_request", "filename must be a non-empty name of at most 240 characters"
        );
    std::string resume_key = rkey != nullptr && rkey->is_string() ? std::string(rkey->get_string()) : "";
    if (!resume_key.empty() && !is_hex32(resume_key))
        return session_error(400, "invalid_request", "resume_key must be 32 hex digits");

    auto now = now_ms();
    std::lock_guard lock(reg.mutex());
    reg.expire(now);
    if (!resume_key.empty())
        if (auto* s = reg.find_by_resume_key(resume_key))
        {
            if (s->size_bytes != size_bytes || s->filename != filename)
                return session_error(409, "conflict", "resume key belongs to a different upload");
            return http::json_reply(201, s->to_json());
        }
    const auto& lim = reg.limits();
    if (static_cast<std::uint64_t>(size_bytes) > lim.disk_quota_bytes)
        return session_error(413, "too_large", "import file is larger than the disk quota");
    std::uint64_t reserved = 0;
    unsigned active = 0;
    for (const auto& [id, s] : reg.all())
        if (s.active())
        {
            ++active;
            reserved += static_cast<std::uint64_t>(s.size_bytes);
        }
    if (active >= lim.max_sessions)
        return session_error(429, "limit_exceeded", "too many active import sessions");
    if (reserved + static_cast<std::uint64_t>(size_bytes) > lim.disk_quota_bytes)
        return session_error(507, "quota_exceeded", "import disk quota is reserved by other sessions");

    import_session s;
    s.id = new_id();
    s.filename = filename;
    s.status = "uploading";
    s.size_bytes = size_bytes;
    s.chunk_size_bytes = static_cast<std::int64_t>(lim.chunk_bytes);
    s.created_at_ms = s.updated_at_ms = now;
    s.expires_at_ms = now + static_cast<std::int64_t>(lim.session_ttl_minutes) * 60000;
    s.resume_key = resume_key;
    {
        std::ofstream part(reg.part_path(s.id), std::ios::binary | std::ios::trunc);
        if (!part)
            return session_error(500, "unavailable", "cannot create the import file");
    }
    reg.save(s);
    auto out = s.to_json();
    reg.all().emplace(s.id, std::move(s));
    return http::json_reply(201, out);
}

http::response get_session(usage_context& ctx, const std::string& id)
{
    auto& reg = *ctx.sessions;
    std::lock_guard lock(reg.mutex());
    reg.expire(now_ms());
    auto* s = reg.find(id);
    if (s == nullptr)
        return session_error(404, "not_found", "import session not found");
    return http::json_reply(200, s->to_json());
}

http::response delete_session(usage_context& ctx, const std::string& id)
{
    auto& reg = *ctx.sessions;
    std::lock_guard lock(reg.mutex());
    auto* s = reg.find(id);
    if (s == nullptr)
        return session_error(404, "not_found", "import session not found");
    bool was_processing = s->status == "processing";
    s->status = "cancelled";
    s->retryable = false;
    s->updated_at_ms = now_ms();
    if (!was_processing)
        reg.drop_files(*s); // a running import still reads it; it stops caring once cancelled
    reg.save(*s);
    return http::json_reply(was_processing ? 202 : 200, s->to_json());
}

http::response complete_session(ctx_ptr ctx, const std::string& id)
{
    auto& reg = *ctx->sessions;
    std::lock_guard lock(reg.mutex());
    auto* s = reg.find(id);
    if (s == nullptr)
        return session_error(404, "not_found", "import session not found");
    if (s->status == "processing" || s->status == "completed")
        return http::json_reply(200, s->to_json());
    if (!(s->status == "ready" || (s->status == "failed" && s->retryable)))
        return session_error(409, "conflict", fmt::format("import session is {}", s->status));
    s->status = "processing";
    s->error.clear();
    s->result.reset();
    s->updated_at_ms = now_ms();
    reg.save(*s);
    asio::co_spawn(ctx->jobs.get_executor(), run_session_import(ctx, id), asio::detached);
    return http::json_reply(202, s->to_json());
}

// PUT .../{id}/chunk?offset=N: exactly Content-Length bytes appended at `offset`.
asio::awaitable<void> put_chunk(ctx_ptr ctx, http::exchange& ex)
{
    auto& reg = *ctx->sessions;
    const auto& cors = ctx->svc.cfg.cors_origins;
    auto& c = *ex.connection();
    std::string id(ex.param("id"));
    auto offset_text = ex.query_value("offset");
    std::int64_t offset = -1;
    if (offset_text)
        std::from_chars(offset_text->data(), offset_text->data() + offset_text->size(), offset);
    auto length = c.parser.content_length();
    http::response refused;
    bool ok = false;
    {
        std::lock_guard lock(reg.mutex());
        auto* s = reg.find(id);
        if (s == nullptr)
            refused = session_error(404, "not_found", "import session not found");
        else if (offset < 0)
            refused = session_error(400, "invalid_request", "offset must be a non-negative integer");
        else if (s->status != "uploading" || s->chunk_in_flight)
            refused = session_error(409, "conflict", "import session is not accepting this chunk now");
        else if (offset != s->received_bytes)
            refused = session_error(
                409, "conflict", fmt::format("offset must equal received_bytes ({})", s->received_bytes)
            );
        else if (!length || *length == 0)
            refused =
                session_error(400, "invalid_request", "a non-empty chunk with Content-Length is required");
        else if (*length > static_cast<std::uint64_t>(std::min(s->chunk_size_bytes, s->size_bytes - s->received_bytes)))
            refused = session_error(413, "too_large", "chunk is larger than allowed");
        else
        {
            s->chunk_in_flight = true;
            ok = true;
        }
    }
    if (!ok)
    {
        co_await send_reply(ex, std::move(refused), cors, length && *length > 0);
        co_return;
    }

    std::fstream part(reg.part_path(id), std::ios::binary | std::ios::in | std::ios::out);
    if (part)
        part.seekp(offset);
    bhttp::request_parser<bhttp::buffer_body> p{std::move(c.parser)};
    p.body_limit(*length);
    std::vector<char> buf(64 * 1024);
    std::uint64_t got_total = 0;
    bool read_ok = true;
    while (!p.is_done())
    {
        p.get().body().data = buf.data();
        p.get().body().size = buf.size();
        c.deadline.expires_after(std::chrono::seconds(30));
        auto [ec, n] = co_await bhttp::async_read_some(c.stream, c.buffer, p, http::use_nothrow);
        if (ec == bhttp::error::need_buffer)
            ec = {};
        if (ec)
        {
            read_ok = false;
            break;
        }
        std::size_t got = buf.size() - p.get().body().size;
        part.write(buf.data(), static_cast<std::streamsize>(got));
        got_total += got;
    }
    part.flush();
    bool written = read_ok && part.good() && got_total == *length;
    http::response res;
    {
        std::lock_guard lock(reg.mutex());
        auto* s = reg.find(id);
        if (s == nullptr)
            res = session_error(404, "not_found", "import session not found");
        else
        {
            s->chunk_in_flight = false;
            if (written && s->status == "uploading")
            {
                s->received_bytes += static_cast<std::int64_t>(got_total);
                if (s->received_bytes == s->size_bytes)
                    s->status = "ready";
                s->updated_at_ms = now_ms();
                reg.save(*s);
                res = http::json_reply(200, s->to_json());
            }
            else if (!written)
                res = session_error(500, "unavailable", "chunk was not stored; send it again");
            else
                res = session_error(409, "conflict", fmt::format("import session is {}", s->status));
        }
    }
    if (!read_ok)
    {
        ex.close_after = true;
        co_return;
    }
    co_await send_reply(ex, std::move(res), cors);
}

} // namespace

std::filesystem::path imports_dir(const config& cfg)
{
    return cfg.data_dir / "usage-imports";
}

void ensure_private_dir(const std::filesystem::path& dir, std::error_code& ec)
{
    std::filesystem::create_directories(dir, ec);
    if (!ec)
        std::filesystem::permissions(dir, std::filesystem::perms::owner_all, ec);
}

json::object import_session::to_json() const
{
    json::object o;
    o["id"] = id;
    o["filename"] = filename;
    o["status"] = status;
    o["size_bytes"] = size_bytes;
    o["received_bytes"] = received_bytes;
    o["chunk_size_bytes"] = chunk_size_bytes;
    o["created_at_ms"] = created_at_ms;
    o["updated_at_ms"] = updated_at_ms;
    o["expires_at_ms"] = expires_at_ms;
    o["retryable"] = retryable;
    if (!error.empty())
        o["error"] = error;
    if (result)
        o["result"] = *result;
    return o;
}

import_sessions::import_sessions(std::filesystem::path dir, usage_import_limits limits)
    : dir_(std::move(dir)), limits_(limits)
{
    std::error_code ec;
    ensure_private_dir(dir_, ec);
    if (ec)
        log::warn("usage imports directory {}: {}", dir_.string(), ec.message());
    load();
}

import_session* import_sessions::find(const std::string& id)
{
    auto it = sessions_.find(id);
    return it == sessions_.end() ? nullptr : &it->second;
}

import_session* import_sessions::find_by_resume_key(const std::string& key)
{
    for (auto& [id, s] : sessions_)
        if (s.active() && s.resume_key == key)
            return &s;
    return nullptr;
}

void import_sessions::save(const import_session& s)
{
    auto o = s.to_json();
    if (!s.resume_key.empty())
        o["resume_key"] = s.resume_key;
    auto tmp = dir_ / (s.id + ".json.tmp");
    {
        std::ofstream f(tmp, std::ios::trunc);
        f << json::serialize(o);
        if (!f)
            return;
    }
    std::error_code ec;
    std::filesystem::rename(tmp, dir_ / (s.id + ".json"), ec);
}

void import_sessions::drop_files(const import_session& s)
{
    std::error_code ec;
    std::filesystem::remove(part_path(s.id), ec);
}

void import_sessions::expire(std::int64_t now)
{
    for (auto it = sessions_.begin(); it != sessions_.end();)
    {
        if (it->second.expires_at_ms < now && it->second.status != "processing")
        {
            std::error_code ec;
            drop_files(it->second);
            std::filesystem::remove(dir_ / (it->first + ".json"), ec);
            it = sessions_.erase(it);
        }
        else
            ++it;
    }
}

// Sessions survive a restart; an import that was running is marked failed and retryable.
void import_sessions::load()
{
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dir_, ec))
    {
        if (entry.path().extension() != ".json")
            continue;
        std::ifstream f(entry.path());
        std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
        json::error_code jec;
        auto v = json::parse(text, jec);
        const auto* o = jec ? nullptr : v.if_object();
        if (o == nullptr || !o->contains("id") || !(*o).at("id").is_string())
            continue;
        import_session s;
        auto str = [&](const char* k) -> std::string
        {
            const auto* x = o->if_contains(k);
            return x && x->is_string() ? std::string(x->get_string()) : std::string();
        };
        auto num = [&](const char* k) -> std::int64_t
        {
            const auto* x = o->if_contains(k);
            return x && x->is_int64() ? x->get_int64() : 0;
        };
        s.id = str("id");
        if (!is_hex32(s.id))
            continue;
        s.filename = str("filename");
        s.status = str("status");
        s.size_bytes = num("size_bytes");
        s.received_bytes = num("received_bytes");
        s.chunk_size_bytes = static_cast<std::int64_t>(limits_.chunk_bytes);
        s.created_at_ms = num("created_at_ms");
        s.updated_at_ms = num("updated_at_ms");
        s.expires_at_ms = num("expires_at_ms");
        s.retryable =
            o->if_contains("retryable") && o->at("retryable").is_bool() && o->at("retryable").get_bool();
        s.error = str("error");
        s.resume_key = str("resume_key");
        if (const auto* r = o->if_contains("result"); r && r->is_object())
            s.result = r->get_object();
        if (s.status == "uploading")
        {
            // Trust the file over the record: a chunk may have been half written.
            std::error_code fec;
            auto on_disk = static_cast<std::int64_t>(std::filesystem::file_size(part_path(s.id), fec));
            if (fec)
                continue;
            s.received_bytes = std::min(s.received_bytes, on_disk);
        }
        if (s.status == "processing")
        {
            s.status = "failed";
            s.retryable = true;
            s.error = "interrupted by a restart";
        }
        sessions_.emplace(s.id, std::move(s));
    }
}

void add_import_session_routes(http::router& r, ctx_ptr ctx)
{
    using http::bhttp::verb;
    const std::string base = "/v0/management/usage/import-sessions";
    http::route_options admin{.auth = http::auth_level::admin};
    http::route_options small{.body_limit = 64 * 1024, .auth = http::auth_level::admin};
    r.add(
        {verb::post},
        base,
        [ctx](http::exchange& ex) { return reply_now(create_session(*ctx, ex.body())); },
        small
    );
    r.add(
        {verb::get},
        base + "/{id}",
        [ctx](http::exchange& ex) { return reply_now(get_session(*ctx, std::string(ex.param("id")))); },
        admin
    );
    r.add(
        {verb::delete_},
        base + "/{id}",
        [ctx](http::exchange& ex) { return reply_now(delete_session(*ctx, std::string(ex.param("id")))); },
        admin
    );
    r.add(
        {verb::post},
        base + "/{id}/complete",
        [ctx](http::exchange& ex) { return reply_now(complete_session(ctx, std::string(ex.param("id")))); },
        small
    );
    r.add_stream(
        {verb::put}, base + "/{id}/chunk", [ctx](http::exchange& ex) { return put_chunk(ctx, ex); }, admin
    );
}

usage_context::usage_context(services& s)
    : svc(s), sessions(std::make_unique<import_sessions>(imports_dir(s.cfg), s.cfg.usage_import))
{
}

usage_context::~usage_context()
{
    jobs.join();
}

} // namespace cpamd::api::detail
