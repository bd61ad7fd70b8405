#include <cpamd/store/sqlite.hpp>
#include <fmt/format.h>

namespace cpamd::store
{
namespace
{

[[noreturn]] void fail(sqlite3* db, int rc, std::string_view what)
{
    throw sqlite_error(rc, fmt::format("{}: {}", what, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)));
}

} // namespace

connection::connection(const std::filesystem::path& path, mode m)
{
    int flags = SQLITE_OPEN_NOMUTEX; // each connection is used by one thread at a time
    switch (m)
    {
    case mode::read_write_create:
        flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
        break;
    case mode::read_write:
        flags |= SQLITE_OPEN_READWRITE;
        break;
    case mode::read_only:
        flags |= SQLITE_OPEN_READONLY;
        break;
    }
    int rc = sqlite3_open_v2(path.c_str(), &db_, flags, nullptr);
    if (rc != SQLITE_OK)
    {
        std::string msg =
            fmt::format("open {}: {}", path.string(), db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc));
        sqlite3_close(db_);
        db_ = nullptr;
        throw sqlite_error(rc, msg);
    }
    sqlite3_extended_result_codes(db_, 1);
    sqlite3_busy_timeout(db_, 5000);
}

connection::~connection()
{
    if (db_)
        sqlite3_close_v2(db_);
}

connection& connection::operator=(connection&& o) noexcept
{
    if (this != &o)
    {
        if (db_)
            sqlite3_close_v2(db_);
        db_ = std::exchange(o.db_, nullptr);
    }
    return *this;
}

void connection::exec(std::string_view sql)
{
    std::string text(sql);
    char* err = nullptr;
    int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &err);
    if (rc != SQLITE_OK)
    {
        std::string msg = err ? err : sqlite3_errstr(rc);
        sqlite3_free(err);
        throw sqlite_error(rc, msg);
    }
}

statement connection::prepare(std::string_view sql, bool persistent)
{
    sqlite3_stmt* s = nullptr;
    int rc = sqlite3_prepare_v3(
        db_, sql.data(), static_cast<int>(sql.size()), persistent ? SQLITE_PREPARE_PERSISTENT : 0, &s, nullptr
    );
    if (rc != SQLITE_OK)
        fail(db_, rc, fmt::format("prepare \"{}\"", sql.substr(0, 80)));
    return statement(db_, s);
}

std::optional<std::int64_t> connection::query_int(std::string_view sql)
{
    auto s = prepare(sql);
    if (!s.step() || s.is_null(0))
        return std::nullopt;
    return s.int64(0);
}

statement::~statement()
{
    if (stmt_)
        sqlite3_finalize(stmt_);
}

statement& statement::operator=(statement&& o) noexcept
{
    if (this != &o)
    {
        if (stmt_)
            sqlite3_finalize(stmt_);
        db_ = o.db_;
        stmt_ = std::exchange(o.stmt_, nullptr);
    }
    return *this;
}

statement& statement::bind(int i, std::int64_t v)
{
    if (int rc = sqlite3_bind_int64(stmt_, i, v); rc != SQLITE_OK)
        fail(db_, rc, "bind");
    return *this;
}

statement& statement::bind(int i, double v)
{
    if (int rc = sqlite3_bind_double(stmt_, i, v); rc != SQLITE_OK)
        fail(db_, rc, "bind");
    return *this;
}

statement& statement::bind(int i, std::string_view text)
{
    if (int rc = sqlite3_bind_text64(stmt_, i, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
        rc != SQLITE_OK)
        fail(db_, rc, "bind");
    return *this;
}

statement& statement::bind_text_or_null(int i, std::string_view text)
{
    return text.empty() ? bind_null(i) : bind(i, text);
}

statement& statement::bind_blob(int i, const void* data, std::size_t size)
{
    if (int rc = sqlite3_bind_blob64(stmt_, i, data, size, SQLITE_TRANSIENT); rc != SQLITE_OK)
        fail(db_, rc, "bind");
    return *this;
}

statement& statement::bind_null(int i)
{
    if (int rc = sqlite3_bind_null(stmt_, i); rc != SQLITE_OK)
        fail(db_, rc, "bind");
    return *this;
}

bool statement::step()
{
    int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW)
        return true;
    if (rc == SQLITE_DONE)
        return false;
    fail(db_, rc, "step");
}

void statement::run()
{
    run_keeping_bindings();
    sqlite3_clear_bindings(stmt_);
}

void statement::run_keeping_bindings()
{
    while (step())
    {
    }
    sqlite3_reset(stmt_);
}

void statement::reset()
{
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
}

std::string_view statement::text(int col) const
{
    auto p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
    if (!p)
        return {};
    return {p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col))};
}

std::string_view statement::blob(int col) const
{
    auto p = static_cast<const char*>(sqlite3_column_blob(stmt_, col));
    if (!p)
        return {};
    return {p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col))};
}

transaction::transaction(connection& c) : c_(c)
{
    c_.exec("BEGIN IMMEDIATE");
}

transaction::~transaction()
{
    if (!done_)
    {
        try
        {
            c_.exec("ROLLBACK");
        }
        catch (...)
        {
            // Nothing sensible to do: the connection reports the error on its next use.
        }
    }
}

void transaction::commit()
{
    c_.exec("COMMIT");
    done_ = true;
}

read_transaction::read_transaction(connection& c) : c_(c), owner_(sqlite3_get_autocommit(c.handle()) != 0)
{
    if (owner_)
        c_.exec("BEGIN");
}

read_transaction::~read_transaction()
{
    // A read has nothing to keep; ROLLBACK never fails on a read-only transaction.
    if (owner_)
        sqlite3_exec(c_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

} // namespace cpamd::store
