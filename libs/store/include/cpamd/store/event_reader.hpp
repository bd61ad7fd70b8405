#pragma once

// Reading stored events back as usage::event: dimension ids resolved to strings, the RFC3339Nano
// timestamp rebuilt from ts_ns, the hash as hex. Cursors step one row at a time through a
// prepared statement, so memory stays bounded whatever the window size.
//
// A cursor lives on one connection and must be used (and destroyed) by one thread at a time;
// wrap several cursors in one read transaction (BEGIN ... COMMIT on a reader) for a consistent
// snapshot. Throws sqlite_error on database failures.

#include <cpamd/store/dims.hpp>
#include <cpamd/store/sqlite.hpp>
#include <cpamd/usage/event.hpp>
#include <cstdint>
#include <optional>
#include <string>

namespace cpamd::store
{

// Optional bounds on the event time in Unix milliseconds: from <= t < to.
struct time_range
{
    std::optional<std::int64_t> from_ms;
    std::optional<std::int64_t> to_ms;
};

enum class event_order
{
    newest_first, // (ts desc, id desc)
    oldest_first, // (ts asc, id asc)
};

struct stored_event
{
    std::int64_t id = 0;
    usage::event ev;
};

// The column list every event read uses, and the decoder for it.
class event_decoder
{
public:
    explicit event_decoder(connection& db) : dims_(db) {}
    // "SELECT <columns> FROM events" with the columns decode() expects.
    static const std::string& select_sql();
    void decode(const statement& row, stored_event& out);

private:
    dim_reader dims_;
};

// The window of the newest `limit` events in `range` (limit <= 0: no limit), returned in
// `order`. oldest_first first finds the oldest row of the window, then walks the time index up,
// so no sort of the window is needed.
class event_cursor
{
public:
    event_cursor(connection& db, event_order order, std::int64_t limit, time_range range = {});

    // Reads the next event; false at the end.
    bool next(stored_event& out);

private:
    event_decoder decoder_;
    statement stmt_;
    bool empty_ = false;
};

// Point reads by id (the /usage payload reads details in its own order).
class event_lookup
{
public:
    explicit event_lookup(connection& db);
    // False when there is no event `id`.
    bool read(std::int64_t id, stored_event& out);

private:
    event_decoder decoder_;
    statement stmt_;
};

// ts_ns bounds for a time_range (inclusive low, exclusive high).
std::int64_t range_low_ns(const time_range& r);
std::int64_t range_high_ns(const time_range& r);

} // namespace cpamd::store
