#pragma once

// Usage imports (manager-api §5.8), all-or-nothing, in two passes over bytes kept on disk:
//
//   1. validate: every item is parsed; one malformed item, line or structure rejects the whole
//      import (400) and nothing is written. JSONL and JSON arrays are parsed as they stream in
//      (memory for one line or element); a legacy snapshot is one JSON value and is parsed whole
//      (its walk needs the endpoint and model keys in sorted order, which may come last).
//   2. insert: the same bytes are parsed again and the events go through the single writer in
//      batches (one transaction each, rollups included). Duplicates count as `skipped`.
//
// A crash or a database error during pass 2 can leave a prefix of the batches committed. Each
// batch is a complete transaction, and re-running the same import finishes the job: the rows
// already there come back as `skipped`. See docs/storage.md.

#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <boost/system/result.hpp>
#include <cpamd/store/event_writer.hpp>
#include <cpamd/usage/import_formats.hpp>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace cpamd::api
{

inline constexpr std::uint64_t import_body_limit = 64ull << 20;
// A legacy snapshot is parsed as one value: past this size, JSONL or an array is required.
inline constexpr std::uint64_t buffered_import_limit = 256ull << 20;
inline constexpr std::size_t import_batch_events = 2000;

struct import_report
{
    // 200; 400 (bad input) or 413 (a line, an item or a buffered body over its limit): nothing
    // written; 500 (database): a prefix of the batches may be written.
    unsigned status = 200;
    // With an error: usage_import_invalid (400), usage_import_line_too_long,
    // usage_import_item_too_long, usage_import_too_large (413), request_failed (500).
    std::string code;
    std::string format = "usage_service_jsonl";
    std::uint64_t added = 0;
    std::uint64_t skipped = 0;
    std::uint64_t total = 0;
    std::uint64_t failed = 0;
    std::uint64_t unsupported = 0;
    std::optional<std::vector<std::string>> warnings; // null unless a legacy format
    std::string error;

    // 200: {"format","added","skipped","total","failed","unsupported","warnings"};
    // else: {"error","code","format","failed","unsupported","warnings"} (upstream has no "code").
    boost::json::object to_json() const;
};

// The §5.8 format dispatch over a stream of chunks. JSONL (also when it starts with a record
// object) is parsed line by line and '[' element by element as it arrives; legacy snapshots are
// kept and parsed at finish().
class import_scanner
{
public:
    explicit import_scanner(usage::parse_options opts = {});

    void feed(std::string_view chunk, const usage::item_callback& on_item);
    // Errors: whole-payload problems (usage::errc, boost::json codes, errc::line_too_long when a
    // buffered value passes buffered_import_limit).
    boost::system::result<usage::import_summary> finish(const usage::item_callback& on_item);
    // Where a JSON array's structure broke (bytes from the start of the body), after finish()
    // failed on one.
    std::optional<std::uint64_t> error_offset() const { return error_offset_; }

private:
    enum class mode
    {
        undecided,
        jsonl,
        array,
        buffered
    };
    void decide(bool at_end, const usage::item_callback& on_item);
    void start_jsonl(const usage::item_callback& on_item);
    void start_array(std::size_t start, const usage::item_callback& on_item);
    void count(usage::import_item&& item, const usage::item_callback& on_item);

    usage::parse_options opts_;
    mode mode_ = mode::undecided;
    std::string pending_; // undecided: the bytes so far; buffered: the whole body
    std::optional<usage::jsonl_reader> jsonl_;
    std::optional<usage::json_array_reader> array_;
    std::size_t array_start_ = 0; // bytes before the array reader's first byte (a byte order mark)
    std::optional<std::uint64_t> error_offset_;
    usage::import_summary sum_;
    bool too_large_ = false;
};

// Pass 1 as a sink: feed the body, then finish() says whether it may be imported (status 200
// with format/total/failed/unsupported/warnings filled) or not (400/413 with the error and code).
// The first bad item decides: its error names it ("line 3" in JSONL, "item 3" in an array,
// usage::describe_position) and a length error makes the status 413.
class import_validator
{
public:
    explicit import_validator(usage::parse_options opts = {}) : scanner_(opts) {}
    void feed(std::string_view chunk);
    import_report finish();

private:
    void on_item(usage::import_item&& item);

    import_scanner scanner_;
    std::uint64_t failed_ = 0;
    std::string first_error_;
    boost::system::error_code first_code_;
};

using import_progress = std::function<void(std::uint64_t bytes_done, std::uint64_t bytes_total)>;

// Pass 1 over a file. Throws std::system_error when the file cannot be read.
import_report validate_import_file(
    const std::filesystem::path& file, const usage::parse_options& opts, const import_progress& progress = {}
);

// Pass 2 over a file that passed validation: inserts through the writer. The returned report has
// status 500 and the error when a batch failed (earlier batches stay committed).
boost::asio::awaitable<import_report> insert_import_file(
    store::event_writer& writer,
    std::filesystem::path file,
    usage::parse_options opts,
    import_progress progress = {}
);

// Both passes.
boost::asio::awaitable<import_report> import_file(
    store::event_writer& writer,
    std::filesystem::path file,
    usage::parse_options opts,
    import_progress progress = {}
);

} // namespace cpamd::api
