#pragma once

// Opening the database: the writer connection (creates, configures and migrates the file) and
// read-only connections for the reader pool.
//
// WAL with synchronous=NORMAL: a commit is durable against a crash of cpamd (the WAL is written
// before COMMIT returns); only a power loss or kernel crash can drop the last transactions, and
// those events are still in the collector's fsynced spool, which is replayed on start and
// deduplicated. See docs/storage.md.

#include <cpamd/store/sqlite.hpp>
#include <cstdint>
#include <filesystem>

namespace cpamd::store
{

// The WAL file is cut back to this after checkpoints (as upstream; /status reports it).
constexpr std::int64_t journal_size_limit_bytes = 256ll << 20;

// Opens (creating if needed, mode 0600) and migrates the database; sets WAL,
// synchronous=NORMAL, foreign keys and a journal size limit. Throws sqlite_error or
// std::runtime_error.
connection open_writer(const std::filesystem::path& path);

// A read-only connection on an existing database (for readers; never writes).
connection open_reader(const std::filesystem::path& path);

} // namespace cpamd::store
