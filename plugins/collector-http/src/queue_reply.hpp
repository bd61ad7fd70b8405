#pragma once

// Splitting a usage-queue reply (a JSON array, spec cpa-usage-queue §2) into raw records.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cpamd::collector_http
{

// Appends one string per array item to `out`: objects (and any other non-string item) as their
// exact bytes, JSON strings as the string's decoded content (CPA wraps items that were not valid
// JSON in a string). Returns an error text (and appends nothing) when `body` is not a JSON array.
std::optional<std::string> split_queue_reply(std::string_view body, std::vector<std::string>& out);

} // namespace cpamd::collector_http
