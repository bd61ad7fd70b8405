#pragma once

// A thin RAII layer over the SQLite C API: connections, prepared statements, transactions.
// Failures the caller cannot cause throw sqlite_error (with SQLite's message); expected outcomes
// (a row or not, a constraint hit) are return values.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <sqlite3.h>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace cpamd::store
{

class sqlite_error : public std::runtime_error
{
public:
    sqlite_error(int code, const std::string& what) : std::runtime_error(what), code_(code) {}
    int code() const noexcept { return code_; }

private:
    int code_;
};

class statement;

class connection
{
public:
    enum class mode
    {
        read_write_create,
        read_write,
        read_only
    };

    connection() = default;
    connection(const std::filesystem::path& path, mode m);
    ~connection();
    connection(connection&& o) noexcept : db_(std::exchange(o.db_, nullptr)) {}
    connection& operator=(connection&& o) noexcept;
    connection(const connection&) = delete;
    connection& operator=(const connection&) = delete;

    sqlite3* handle() const noexcept { return db_; }
    explicit operator bool() const noexcept { return db_ != nullptr; }

    // Runs one or more statements without results. Throws sqlite_error.
    void exec(std::string_view sql);
    statement prepare(std::string_view sql, bool persistent = false);
    std::int64_t last_insert_rowid() const noexcept { return sqlite3_last_insert_rowid(db_); }
    int changes() const noexcept { return sqlite3_changes(db_); }
    // A single integer from a query such as "PRAGMA user_version"; nullopt for no row or NULL.
    std::optional<std::int64_t> query_int(std::string_view sql);

private:
    sqlite3* db_ = nullptr;
};

class statement
{
public:
    statement() = default;
    statement(sqlite3* db, sqlite3_stmt* s) : db_(db), stmt_(s) {}
    ~statement();
    statement(statement&& o) noexcept : db_(o.db_), stmt_(std::exchange(o.stmt_, nullptr)) {}
    statement& operator=(statement&& o) noexcept;
    statement(const statement&) = delete;
    statement& operator=(const statement&) = delete;

    // Parameters are 1-based. An empty string_view binds NULL only through bind_text_or_null.
    statement& bind(int i, std::int64_t v);
    statement& bind(int i, double v);
    statement& bind(int i, std::string_view text); // copied by SQLite (SQLITE_TRANSIENT)
    statement& bind_text_or_null(int i, std::string_view text);
    statement& bind_blob(int i, const void* data, std::size_t size);
    statement& bind_null(int i);
    template <class T>
    statement& bind(int i, const std::optional<T>& v)
    {
        return v ? bind(i, static_cast<std::int64_t>(*v)) : bind_null(i);
    }

    // Advances; true while a row is available. Throws sqlite_error on failure.
    bool step();
    // Steps a statement that returns no rows and resets it for reuse.
    void run();
    // The same, keeping the bindings: for statements whose every parameter is bound again before
    // each run, on hot paths where clearing them all first is wasted work.
    void run_keeping_bindings();
    void reset();
    sqlite3_stmt* handle() const noexcept { return stmt_; }
    // True once prepared (a default-constructed statement is not).
    bool step_ready() const noexcept { return stmt_ != nullptr; }

    bool is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
    std::int64_t int64(int col) const { return sqlite3_column_int64(stmt_, col); }
    double real(int col) const { return sqlite3_column_double(stmt_, col); }
    std::string_view text(int col) const;
    std::string_view blob(int col) const;
    std::optional<std::int64_t> opt_int64(int col) const
    {
        return is_null(col) ? std::nullopt : std::optional<std::int64_t>(int64(col));
    }

private:
    sqlite3* db_ = nullptr;
    sqlite3_stmt* stmt_ = nullptr;
};

// BEGIN IMMEDIATE ... COMMIT, rolled back if destroyed uncommitted (an exception left the scope).
class transaction
{
public:
    explicit transaction(connection& c);
    ~transaction();
    transaction(const transaction&) = delete;
    transaction& operator=(const transaction&) = delete;
    void commit();

private:
    connection& c_;
    bool done_ = false;
};

// BEGIN (deferred) ... end for reads: every statement in the scope sees one snapshot of the
// database, e.g. the prices and the rollups they price. Inside a transaction already open on the
// connection it does nothing (that one is the snapshot).
class read_transaction
{
public:
    explicit read_transaction(connection& c);
    ~read_transaction();
    read_transaction(const read_transaction&) = delete;
    read_transaction& operator=(const read_transaction&) = delete;

private:
    connection& c_;
    bool owner_;
};

} // namespace cpamd::store
