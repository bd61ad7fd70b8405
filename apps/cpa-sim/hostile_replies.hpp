#pragma once

// Replies of a hostile or broken CPA, for the over_answer and garbage faults: synthetic items that
// were never in the queue (so the ledger is untouched), and bodies that are not JSON.

#include <cstddef>
#include <cstdint>
#include <string>

namespace cpamd::sim
{

// A JSON array of `n` synthetic items of about 90 bytes each.
std::string over_answer_json(std::size_t n);
// The same items as a RESP pop reply (*n, then one bulk string per item).
std::string over_answer_resp(std::size_t n);
// `bytes` bytes that are not JSON; `number` makes every body different.
std::string garbage_body(std::uint64_t number, std::size_t bytes);

} // namespace cpamd::sim
