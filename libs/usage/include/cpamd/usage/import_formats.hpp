#pragma once

// The import formats of manager-api §5.8. The body's first non-space byte decides:
//   '['  -> a JSON array of records, split as it streams             (usage_service_jsonl)
//   '{'  -> the first JSON value is a legacy snapshot                 (legacy_usage_export /
//           (then only whitespace may follow), or record #1 of JSONL   legacy_usage_payload)
//   else -> JSONL: one record per line, blank lines skipped, <= 10 MiB per line
// A record is an export record (event_hash kept) or a raw CPA record (parse_record.hpp).
//
// Items are reported one by one through a callback, so a caller can insert in batches without
// holding the whole import as events. Per-item errors are values (import_item::record); only
// whole-payload problems (empty body, bad array, unusable snapshot) fail the call.

#include <array>
#include <boost/json/object.hpp>
#include <boost/system/result.hpp>
#include <cpamd/usage/error.hpp>
#include <cpamd/usage/event.hpp>
#include <cpamd/usage/parse_record.hpp>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace cpamd::usage
{

enum class import_format
{
    usage_service_jsonl,
    legacy_usage_export,  // {"usage":{"apis":{...}}, ...}
    legacy_usage_payload, // {"apis":{...}, ...}, e.g. a saved /usage body
};

std::string_view to_string(import_format f) noexcept;

inline constexpr std::array<std::string_view, 2> legacy_import_warnings = {
    "legacy_usage_metadata_is_partial",
    "legacy_usage_source_matching_may_be_approximate",
};

inline constexpr std::size_t default_max_line_bytes = 10 * 1024 * 1024;

// What import_item::position counts, so that an error can say "line 3" or "item 3".
enum class position_kind : std::uint8_t
{
    line,   // JSONL, and a first record object however it is laid out: 1-based line number
    index,  // JSON array: 0-based element index
    detail, // legacy snapshot: 0-based index in details[] (with the ranks below)
};

struct import_item
{
    std::size_t position = 0;
    // Legacy only: 1-based ranks of the endpoint and model keys in byte-sorted order.
    std::size_t endpoint_rank = 0;
    std::size_t model_rank = 0;
    boost::system::result<event> record;
    position_kind kind = position_kind::line;
};

// "line 3", "item 3" or "endpoint 2, model 1, detail 3" (ranks as above).
std::string describe_position(const import_item& item);

using item_callback = std::function<void(import_item&&)>;

// Splits a stream of bytes into JSONL records. Feed chunks in order, then call finish().
// Lines may end in "\n" or "\r\n"; blank lines are skipped but counted.
class jsonl_reader
{
public:
    explicit jsonl_reader(
        parse_options opts = {},
        std::size_t max_line_bytes = default_max_line_bytes,
        std::size_t first_line_number = 1
    );

    void feed(std::string_view chunk, const item_callback& on_item);
    void finish(const item_callback& on_item);

    std::size_t line_number() const noexcept { return line_; } // number of the current line

private:
    void emit(std::string_view line, const item_callback& on_item);

    parse_options opts_;
    std::size_t max_line_bytes_;
    std::size_t line_;      // number of the line being assembled
    std::string partial_;   // bytes of the current line seen so far
    bool overflow_ = false; // the current line passed max_line_bytes_: skip to '\n'
};

// Splits a top-level JSON array into its elements as bytes arrive, so an array import holds one
// element in memory, never the whole body. Each element is parsed on its own and reported with
// its 0-based index; an element longer than max_element_bytes is reported as
// errc::item_too_long. Feed chunks in order (whitespace, then '[' ...), then call finish().
//
// The element boundaries come from a small scanner: depth of {} and [] outside strings, string
// escapes, and scalars ending at whitespace, ',' or ']'. Everything between elements must be
// whitespace and one ','; after ']' only whitespace. What the scanner cannot see (the syntax
// inside an element) is checked by parsing the element, which makes it a failed item.
class json_array_reader
{
public:
    explicit json_array_reader(
        parse_options opts = {}, std::size_t max_element_bytes = default_max_line_bytes
    );

    void feed(std::string_view chunk, const item_callback& on_item);
    // Errors: boost::json::error::syntax (bytes out of place), boost::json::error::incomplete (no
    // closing ']' or an element cut short), errc::not_an_array (no '[' at all).
    boost::system::result<void> finish(const item_callback& on_item);

    std::size_t items() const noexcept { return index_; }
    // Bytes consumed before the error (valid after feed() or finish() failed).
    std::size_t error_offset() const noexcept { return error_offset_; }

private:
    enum class state
    {
        before_array, // whitespace until '['
        before_value, // after '[' or ',': whitespace, then an element (or ']' right after '[')
        in_value,     // inside an element
        after_value,  // whitespace, then ',' or ']'
        after_array,  // whitespace only
        failed,
    };

    std::size_t scan(std::string_view chunk, std::size_t i, const item_callback& on_item);
    void end_value(std::string_view tail, const item_callback& on_item);
    void fail(boost::system::error_code ec, std::size_t at);

    parse_options opts_;
    std::size_t max_element_bytes_;
    state state_ = state::before_array;
    bool empty_so_far_ = true; // no element yet: ']' may follow '['
    // The element being scanned.
    std::string partial_; // its bytes from earlier chunks
    bool too_long_ = false;
    std::size_t depth_ = 0; // open {} and [] inside the element
    bool scalar_ = false;   // a number, literal (or garbage): ends at whitespace, ',' or ']'
    bool in_string_ = false;
    bool escaped_ = false;
    std::size_t index_ = 0;  // index of the next element
    std::size_t offset_ = 0; // bytes consumed before the current chunk
    std::size_t error_offset_ = 0;
    boost::system::error_code error_;
};

struct import_summary
{
    import_format format = import_format::usage_service_jsonl;
    std::size_t items = 0;       // items reported (good or bad)
    std::size_t failed = 0;      // items with an error, plus legacy structural failures
    std::size_t unsupported = 0; // legacy models without details
};

// Legacy snapshot detection on a top-level object: nullopt if it is a record.
// {"usage":{...}} with `apis` or summary keys -> legacy_usage_export; top-level `apis` or summary
// keys (total_requests|success_count|failure_count) -> legacy_usage_payload.
std::optional<import_format> legacy_format_of(const boost::json::object& root) noexcept;

// Walks apis.<endpoint>.models.<model>.details[] and reports every detail. Structural failures
// (non-object endpoint or model, missing models) count as failed without an item.
// Errors: errc::no_request_details when there is nothing to walk or no detail parsed.
boost::system::result<import_summary> parse_legacy_snapshot(
    const boost::json::object& root,
    import_format format,
    const parse_options& opts,
    const item_callback& on_item
);

// The whole import body (§5.8 dispatch above). A first object that is a record, not a legacy
// snapshot, is held to max_line_bytes like every JSONL line (errc::line_too_long at its first
// line); a snapshot may be as long as the body. Errors: errc::empty_payload,
// errc::multiple_values, errc::no_request_details, errc::not_an_array, boost::json codes for a
// malformed array/snapshot.
boost::system::result<import_summary> parse_import_payload(
    std::string_view body,
    const parse_options& opts,
    const item_callback& on_item,
    std::size_t max_line_bytes = default_max_line_bytes
);

// The legacy request_id for a detail without one: "legacy:" + 16 hex of
// SHA-256("legacy|e|m|d|endpoint|model_key|timestamp|raw_json"), raw_json being
// {"detail":<detail, secret keys redacted>,"endpoint":...,"format":"legacy_usage_export","model":...}
// marshalled like Go (go_marshal.hpp; see its known gap on verbatim numbers).
std::string legacy_request_id(
    std::size_t endpoint_rank,
    std::size_t model_rank,
    std::size_t detail_index,
    std::string_view endpoint,
    std::string_view model_key,
    std::string_view normalized_timestamp,
    const boost::json::object& detail
);

} // namespace cpamd::usage
