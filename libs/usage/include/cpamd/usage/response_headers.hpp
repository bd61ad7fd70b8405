#pragma once

// CPA forwards the upstream response headers unfiltered (`response_headers`, {Name:[values]},
// may contain Set-Cookie). We keep only what quota and error analytics need, redacted:
//
//  kept (case-insensitive): Retry-After; X-Codex-*; *ratelimit* / *rate-limit* headers (incl.
//    anthropic-ratelimit-*); request/trace ids (X-Request-Id, Request-Id, X-Trace-Id, Cf-Ray,
//    X-Amzn-Requestid, X-Goog-Request-Id); X-Should-Retry; Openai-Processing-Ms.
//  always dropped, even if the name is on the list: names containing cookie, authorization,
//    secret, password, session, key, auth, or token (except rate-limit counters such as
//    X-Ratelimit-Remaining-Tokens, which are quota data).
//  values: several values are joined with ", ", redacted with redact_text and cut to 256 bytes;
//    at most 32 headers are kept.
//
// response_metadata is the JSON object {"Name":"value",...} with names sorted (bytewise), written
// with Go escaping; "" when nothing is kept. The header_* columns are derived from it:
//   header_quota_used_percent  <- X-Codex-Primary-Used-Percent
//   header_quota_recover_at_ms <- X-Codex-Primary-Reset-At (Unix s), else
//                                 X-Codex-Primary-Reset-After-Seconds, else Retry-After
//                                 (seconds), both counted from the attempt end
//                                 (timestamp + latency)
//   header_quota_plan_type     <- X-Codex-Plan-Type
//   header_trace_id            <- X-Request-Id | Request-Id | X-Trace-Id | Cf-Ray

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>

namespace cpamd::usage
{

struct header_info
{
    std::string metadata_json; // "" if nothing kept
    std::optional<std::int64_t> quota_recover_at_ms;
    std::optional<double> quota_used_percent;
    std::string quota_plan_type;
    std::string trace_id;
};

// `headers` is CPA's response_headers object (values: arrays of strings, or plain strings).
// `attempt_end_ms` anchors relative reset times. Never throws on odd shapes (ignored).
header_info extract_response_headers(const boost::json::object& headers, std::int64_t attempt_end_ms);

} // namespace cpamd::usage
