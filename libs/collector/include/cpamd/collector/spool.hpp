#pragma once

// The crash-safety spool: every batch a collector delivers is appended to <data>/spool/ and
// made durable (fdatasync) before deliver() completes; it is trimmed once the batch is committed
// to the database. On start the batches still there are replayed (the dedup hash makes a replay
// of already stored events harmless).
//
// Format (docs/collector.md): segment files NNNNNNNNNNNNNNNNNNNN.seg holding frames
//   "CPS1" | u32 payload length | u32 CRC-32 of payload | payload
//   payload = u16 via length | via | u32 record count | (u32 length | bytes) * count
// little-endian. A frame that is cut short or fails its CRC (a crash mid-append) ends the file:
// it and everything after it are dropped with a warning, and the file is truncated there.
//
// Thread-safe. append() blocks on the disk: call it off the io_context threads.

#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace cpamd::collector
{

struct spooled_batch
{
    std::uint64_t id = 0;
    std::string via;
    std::vector<std::string> records;
};

struct spool_recovery
{
    std::vector<spooled_batch> batches; // in append order
    std::uint64_t dropped_bytes = 0;    // torn or corrupt tails cut off
    std::vector<std::string> warnings;  // one line per repaired file
};

class spool
{
public:
    // Opens (creating, mode 0700) `dir`, reads and repairs what is there. Throws
    // std::system_error when the directory or a file cannot be used.
    explicit spool(std::filesystem::path dir, std::uint64_t segment_bytes = 16ull << 20);
    ~spool();
    spool(const spool&) = delete;
    spool& operator=(const spool&) = delete;

    // What was found on open (once; later calls return nothing).
    spool_recovery take_recovered();

    // Appends one batch durably. Returns its id. Throws std::system_error (disk full...): the
    // batch is then not in the spool (a partial frame is cut off again).
    std::uint64_t append(std::span<const std::string> records, std::string_view via);

    // The batches are in the database: their space may be reclaimed.
    void commit(std::span<const std::uint64_t> ids);

    std::size_t depth() const; // batches appended or recovered but not committed
    const std::filesystem::path& dir() const { return dir_; }

private:
    void open_segment(std::uint64_t number);
    void load_existing();
    void release(std::uint64_t segment);

    std::filesystem::path dir_;
    std::uint64_t segment_bytes_;
    mutable std::mutex mutex_;
    int fd_ = -1; // the active segment
    std::uint64_t active_ = 0;
    std::uint64_t active_size_ = 0;
    std::uint64_t next_id_ = 1;
    std::map<std::uint64_t, std::size_t> pending_per_segment_;    // segment -> uncommitted batches
    std::unordered_map<std::uint64_t, std::uint64_t> segment_of_; // batch id -> segment
    spool_recovery recovered_;
};

// CRC-32 (IEEE, as zlib's crc32).
std::uint32_t crc32(std::string_view data) noexcept;

} // namespace cpamd::collector
