#pragma once

// The dedup hash of manager-api §6.3, bit-compatible with CPA Manager Plus so its exports are
// recognised on re-import:
//
//   hex(SHA-256(request_id|timestamp|endpoint|model|auth_index|source_hash|input|output|
//               reasoning|max(cached,cache)|failed[|latency_ms]))
//
// timestamp is the UTC RFC3339Nano string, model is alias||model (our event.model; for legacy
// snapshots the model key), failed is "true"/"false", latency_ms is appended only if present.

#include <cpamd/usage/event.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cpamd::usage
{

struct hash_fields
{
    std::string_view request_id;
    std::string_view timestamp;
    std::string_view endpoint;
    std::string_view model;
    std::string_view auth_index;
    std::string_view source_hash;
    std::int64_t input = 0;
    std::int64_t output = 0;
    std::int64_t reasoning = 0;
    std::int64_t cached = 0; // max(cached_tokens, cache_tokens)
    bool failed = false;
    std::optional<std::int64_t> latency_ms;
};

// The fields of `ev` (views into it).
hash_fields hash_fields_of(const event& ev) noexcept;

// The '|'-joined string that is hashed.
std::string event_hash_input(const hash_fields& f);
// The same, appended to `out`.
void append_event_hash_input(std::string& out, const hash_fields& f);

// Lowercase hex SHA-256 of event_hash_input(f).
std::string event_hash(const hash_fields& f);
inline std::string event_hash(const event& ev)
{
    return event_hash(hash_fields_of(ev));
}

// ev.event_hash = event_hash(ev), remembering the input in ev.computed_hash.
void set_event_hash(event& ev);

// event_hash(ev) == ev.event_hash, without hashing again when ev.computed_hash still matches
// the event (same input, same hash).
bool hash_is_recomputable(const event& ev);

} // namespace cpamd::usage
