#pragma once

// Splitting a usage-queue reply (a JSON array, spec cpa-usage-queue §2) into raw records, without
// building a document of the whole reply: a broken or hostile CPA may send far more than asked.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cpamd::collector_http
{

struct queue_items
{
    // The first `max` items: objects (and any other non-string item) as their exact bytes, JSON
    // strings as the string's decoded content (CPA wraps items that were not valid JSON in a string).
    std::vector<std::string> records;
    std::size_t excess_items = 0; // items beyond `max`
    std::string_view excess;      // their text, from the first of them to the last
};

// Fills `out` from `body`. Returns an error text (and fills nothing) when `body` is not a JSON array
// or one of its first `max` items is not JSON.
std::optional<std::string> split_queue_reply(std::string_view body, std::size_t max, queue_items& out);

} // namespace cpamd::collector_http
