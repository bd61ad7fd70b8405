#pragma once

// Writes batches of events in one transaction: interns strings, inserts events with dedup on
// (hour, hash), adds the newly inserted ones to the hourly rollups (or defers them, see
// rollup_mode), and stores rejected records. Synchronous and single-threaded; event_writer runs
// it on its own thread.

#include <cpamd/store/dims.hpp>
#include <cpamd/store/sqlite.hpp>
#include <cpamd/usage/event.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace cpamd::store
{

// A record that could not be parsed: kept with its raw bytes so nothing is dropped silently.
// A payload above reject_limits::max_payload keeps only its first bytes; its reason then names the
// original size and SHA-256, and the row's payload_hash is the original's.
struct rejected_record
{
    std::string origin; // e.g. "collector:resp", "import"
    std::string reason;
    std::string payload;
    // Set when `payload` is already a prefix cut by its producer (a transport that never held the
    // whole reply): the original's size, and its SHA-256 as 32 raw bytes.
    std::uint64_t original_bytes = 0;
    std::string original_sha256;
};

// Bounds of the rejects table: garbage from a broken peer must not fill the disk. Beyond a cap the
// oldest rows are deleted (write_counts::rejects_dropped counts them).
struct reject_limits
{
    std::size_t max_payload = 64 * 1024;   // bytes kept of one payload
    std::uint64_t max_rows = 10000;        // rows in the table
    std::uint64_t max_bytes = 64ull << 20; // payload bytes in the table
};

struct write_counts
{
    std::uint64_t inserted = 0;
    std::uint64_t duplicates = 0;
    std::uint64_t rejected = 0; // rejects given (one already stored, e.g. replayed, is not stored again)
    std::uint64_t rejects_dropped = 0; // oldest rejects deleted to keep the table within its caps

    write_counts& operator+=(const write_counts& o)
    {
        inserted += o.inserted;
        duplicates += o.duplicates;
        rejected += o.rejected;
        rejects_dropped += o.rejects_dropped;
        return *this;
    }
};

// What write() does with a batch's rollup sums.
enum class rollup_mode
{
    // Added to rollup_hour in the batch's transaction, together with every deferred delta.
    fold,
    // Stored as one delta row in rollup_pending, in the batch's transaction: cheaper when more
    // batches follow, as a later fold upserts each key once for all of them. A batch that
    // would leave more than 65 536 events pending is folded instead.
    defer,
};

// A run of events to write. `hash_recomputable`, when not empty, says per event whether its
// stored fields rebuild its hash (usage::hash_is_recomputable), worked out beforehand off the
// writer thread (event_writer does it on the submitting thread); when empty the writer works
// it out itself.
struct event_part
{
    std::span<const usage::event> events;
    std::span<const std::uint8_t> hash_recomputable;
};

class batch_writer
{
public:
    // `db` must be a migrated writer connection and outlive this object.
    explicit batch_writer(connection& db, reject_limits limits = {});
    ~batch_writer();

    // One BEGIN IMMEDIATE transaction for everything given; all-or-nothing. Throws sqlite_error
    // (the transaction is rolled back and nothing was written). `per_event_inserted`, when not
    // null, receives one flag per event (true = new, false = duplicate).
    // Either way, rollup_hour plus rollup_pending hold exactly the sums of the events at every
    // commit.
    write_counts write(
        std::span<const usage::event> events,
        std::span<const rejected_record> rejects,
        std::vector<bool>* per_event_inserted = nullptr,
        rollup_mode mode = rollup_mode::fold
    );

    // The same for events given in parts (an event_writer batch of several submissions), as if
    // they were one span: `per_event_inserted` follows the parts in order.
    write_counts write_parts(
        std::span<const event_part> parts,
        std::span<const rejected_record> rejects,
        std::vector<bool>* per_event_inserted = nullptr,
        rollup_mode mode = rollup_mode::fold
    );

    // Folds rollup_pending into rollup_hour in one transaction; nothing when it is empty.
    void fold_pending_rollups();
    // Events whose rollup sums wait in rollup_pending.
    std::uint64_t pending_rollup_events() const;

private:
    struct impl;
    std::unique_ptr<impl> impl_;
};

// Nanoseconds since the epoch of an event (from its RFC3339Nano timestamp, else its ms). Throws
// std::out_of_range outside usage::in_event_range (the parser never produces such an event).
std::int64_t event_time_ns(const usage::event& ev);
// The stored form of an event hash: 32 raw bytes for 64 hex digits, else the text itself.
std::string hash_to_blob(std::string_view hash);
// The dedup key's hash part: the first 8 bytes of a hex hash (else of its SHA-256) as an integer.
std::int64_t hash64_of(std::string_view hash);
// CPA's request ids (8 lower-case hex digits) as an integer; nullopt for any other form.
std::optional<std::int64_t> compact_request_id(std::string_view id);
std::string blob_to_hash(std::string_view blob);

} // namespace cpamd::store
