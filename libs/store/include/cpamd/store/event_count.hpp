#pragma once

// The number of stored events, kept in the one-row table event_count by the two writes that
// change it (a batch's inserts, retention's deletes) in their own transactions, so /status does
// not count ten million index entries (170 ms) on every call.

#include <cpamd/store/sqlite.hpp>
#include <cstdint>

namespace cpamd::store
{

// Adds `delta` (negative for deletes). Call in the transaction that inserted or deleted them.
void add_to_event_count(connection& db, std::int64_t delta);

// The events stored, as of the reader's snapshot.
std::int64_t read_event_count(connection& db);

} // namespace cpamd::store
