#pragma once

// The normalized usage event: one upstream attempt as cpamd stores it. Produced by
// parse_record() / the import parsers, consumed by the store (which interns the strings into
// dimension tables), the /usage payload and the export codec.
//
// Invariants after parsing (the store may rely on them):
//  * no plaintext secret: the client API key exists only as api_key_hash; a key-like or email
//    `source` is masked (redact.hpp) and its raw value exists only as source_hash; fail_summary
//    and response_metadata are redacted;
//  * `timestamp` is the UTC RFC3339Nano form of the record's time ("...Z", trailing fractional
//    zeros trimmed) and timestamp_ms is the same instant in Unix milliseconds (floor); the time
//    is in [1970-01-01, 2262-01-01) and created_at_ms too (limits.hpp);
//  * every token counter, cost bucket, latency_ms and ttft_ms is within ±1e9 (limits.hpp), so
//    the store's sums of them stay exact;
//  * `model` is never empty ("-" if the record had none), `endpoint` is never empty ("-");
//  * event_hash is the 64-hex dedup hash of spec manager-api §6.3 (event_hash.hpp), or the
//    verbatim hash of a re-imported export record;
//  * empty string = absent (the store writes NULL); std::nullopt = absent for numbers.

#include <array>
#include <cpamd/usage/normalize_tokens.hpp>
#include <cstdint>
#include <optional>
#include <string>

namespace cpamd::usage
{

// What a parser computed event_hash from (set_event_hash() in event_hash.hpp), so that the store
// can tell cheaply whether the stored fields rebuild the hash (hash_is_recomputable()) instead of
// hashing every event a second time. A hint that is checked, never trusted: if the fields or the
// hash change afterwards, the check fails and the hash is recomputed. Not part of the event's
// value: events compare equal whatever their memos.
struct hash_memo
{
    std::string input;           // event_hash_input() of the fields; empty = no memo
    std::array<char, 64> hash{}; // the hex hash of `input`

    friend bool operator==(const hash_memo&, const hash_memo&) noexcept { return true; }
};

struct event
{
    // --- identity ---------------------------------------------------------------------------
    std::string request_id;        // CPA's 8-hex id; NOT unique (retries share it); may be empty
    std::string event_hash;        // 64 lowercase hex, the dedup key
    std::int64_t timestamp_ms = 0; // attempt start, Unix ms (UTC)
    std::string timestamp;         // attempt start, UTC RFC3339Nano ("2026-08-22T06:03:11.482913027Z")

    // --- what was called ---------------------------------------------------------------------
    std::string provider;        // executor id: codex, claude, gemini, vertex, ... ("unknown" in CPA)
    std::string executor_type;   // Go type name, e.g. CodexExecutor
    std::string model;           // requested_model || resolved_model || "-"
    std::string requested_model; // what the client asked for (CPA `alias`)
    std::string resolved_model;  // what the upstream served (CPA `model`)
    std::string response_model;  // what the upstream's response named (CPA v7.3 `response_model`), or ""
    std::string endpoint;        // "POST /v1/messages", or "-"
    std::string method;          // "POST" (upper case), split from endpoint if not given
    std::string path;            // "/v1/messages"
    std::string reasoning_effort;
    std::string service_tier;          // effective tier: codex request-first, others response-first
    std::string request_service_tier;  // tier the client requested (CPA `service_tier`)
    std::string response_service_tier; // tier the upstream reported
    std::string cache_input_mode;      // left empty by the parser (the store/analytics may infer it)
    // Whether the client asked for a stream (CPA v7.3 `stream`); unset when the record did not say.
    std::optional<bool> stream;

    // --- who called, with which credential ---------------------------------------------------
    std::string client_ip;       // cut to 64 bytes
    std::string x_forwarded_for; // cut to 2048 bytes
    std::string user_agent;      // cut to 1024 bytes
    std::string auth_type;       // apikey | oauth | unknown
    std::string auth_index;      // 16 hex, a one-way id of the credential (safe)
    std::string source;          // credential identity, masked if it is an email or looks like a key
    std::string source_hash;     // SHA-256 hex of the trimmed raw source ("" if none)
    std::string api_key_hash;    // SHA-256 hex of the trimmed client API key ("" if none)

    // --- credential snapshots (filled from auth-files by the collector, or by an import) -----
    std::string account_snapshot;
    std::string auth_label_snapshot;
    std::string auth_file_snapshot;
    std::string auth_provider_snapshot;
    std::string auth_project_id_snapshot;
    std::optional<std::int64_t> auth_snapshot_at_ms;

    // --- tokens (normalize_tokens.hpp documents the provider rules) ------------------------
    token_counts tokens; // raw counters as the record gave them (payload/export/hash)
    cost_tokens cost;    // canonical buckets for pricing
    token_semantics semantics = token_semantics::openai; // which rule produced `cost`

    // --- outcome ---------------------------------------------------------------------------
    std::optional<std::int64_t> latency_ms; // present iff the record had it (it is part of the hash)
    std::optional<std::int64_t> ttft_ms;    // absent when unknown (CPA sends 0)
    bool failed = false;
    std::optional<std::int64_t> fail_status_code; // only set for failed events
    std::string fail_summary;                     // redacted failure body, <= 4096 bytes

    // --- response headers (response_headers.hpp) -----------------------------------------------
    std::string response_metadata; // small JSON object of kept quota/error headers, or ""
    std::optional<std::int64_t> header_quota_recover_at_ms;
    std::optional<double> header_quota_used_percent;
    std::string header_quota_plan_type;
    std::string header_error_kind; // not derived by the parser (kept for exports)
    std::string header_error_code; // not derived by the parser (kept for exports)
    std::string header_trace_id;

    std::int64_t created_at_ms = 0; // when cpamd parsed it (or the export's value)

    hash_memo computed_hash; // see hash_memo

    friend bool operator==(const event&, const event&) = default;
};

} // namespace cpamd::usage
