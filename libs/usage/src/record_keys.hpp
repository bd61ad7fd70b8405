#pragma once

// Internal: every key name the record parsers read, and an index of one JSON object by them.
//
// Records of different CPA versions and hand-written imports spell a field several ways, and the
// parsers try the spellings in priority order. Probing each spelling with object::find cost more
// than building the DOM (most spellings are absent: a failed find hashes the key and walks a
// bucket). indexed_object walks the object's entries once instead, and every probe afterwards is
// an array read. The priority rules stay exactly those of json_access.hpp.

#include "json_access.hpp"

#include <array>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string_view>

namespace cpamd::usage::detail
{

// X(name): one JSON key, spelled exactly as in the records (top level and nested objects).
// clang-format off
#define CPAMD_USAGE_RECORD_KEYS(X) \
    X(timestamp) X(time) X(created_at) X(createdAt) X(created) X(request_time) X(requestTime) \
    X(timestamp_ms) X(timestampMs) X(created_at_ms) X(createdAtMs) \
    X(method) X(http_method) X(httpMethod) X(path) X(url_path) X(urlPath) X(route) \
    X(endpoint) X(api) X(request) X(operation) \
    X(request_id) X(requestId) X(event_hash) X(eventHash) X(provider) X(executor_type) X(executorType) \
    X(auth_type) X(authType) X(auth_index) X(authIndex) X(reasoning_effort) X(reasoningEffort) \
    X(client_ip) X(clientIp) X(clientIP) X(x_forwarded_for) X(xForwardedFor) X(user_agent) X(userAgent) \
    X(account_snapshot) X(accountSnapshot) X(auth_label_snapshot) X(authLabelSnapshot) \
    X(auth_file_snapshot) X(authFileSnapshot) X(auth_provider_snapshot) X(authProviderSnapshot) \
    X(auth_project_id_snapshot) X(authProjectIdSnapshot) X(auth_snapshot_at_ms) X(authSnapshotAtMs) \
    X(header_quota_plan_type) X(headerQuotaPlanType) X(header_error_kind) X(headerErrorKind) \
    X(header_error_code) X(headerErrorCode) X(header_trace_id) X(headerTraceId) \
    X(header_quota_recover_at_ms) X(headerQuotaRecoverAtMs) \
    X(header_quota_used_percent) X(headerQuotaUsedPercent) \
    X(response_headers) X(response_metadata) X(responseMetadata) \
    X(tokens) X(usage) \
    X(input_tokens) X(prompt_tokens) X(inputTokens) X(promptTokens) \
    X(output_tokens) X(completion_tokens) X(outputTokens) X(completionTokens) \
    X(reasoning_tokens) X(reasoningTokens) X(cached_tokens) X(cachedTokens) X(cache_tokens) X(cacheTokens) \
    X(cache_read_tokens) X(cache_read_input_tokens) X(cacheReadTokens) X(cacheReadInputTokens) \
    X(cache_creation_tokens) X(cache_creation_input_tokens) X(cache_write_tokens) \
    X(cache_write_input_tokens) X(cacheCreationTokens) X(cacheCreationInputTokens) \
    X(cacheWriteTokens) X(cacheWriteInputTokens) X(total_tokens) X(total) X(totalTokens) \
    X(token_breakdown) X(tokenBreakdown) X(schema_version) X(schemaVersion) X(input) X(output) \
    X(uncached_tokens) X(uncachedTokens) \
    X(fail) X(body) X(status_code) X(statusCode) X(status) X(fail_body) X(failBody) \
    X(fail_summary) X(failSummary) X(fail_status_code) X(failStatusCode) \
    X(failed) X(is_failed) X(isFailed) X(success) X(ok) X(error) X(error_message) X(errorMessage) \
    X(source) X(source_hash) X(sourceHash) X(api_key) X(apiKey) X(key) X(account) X(email) \
    X(api_key_hash) X(apiKeyHash) \
    X(alias) X(requested_model) X(requestedModel) X(resolved_model) X(resolvedModel) X(model) \
    X(model_name) X(modelName) X(response_model) X(responseModel) X(stream) \
    X(request_service_tier) X(requestServiceTier) X(service_tier) X(serviceTier) \
    X(response_service_tier) X(responseServiceTier) X(cache_input_mode) X(cacheInputMode) \
    X(latency_ms) X(latencyMs) X(ttft_ms) X(ttftMs)
// clang-format on

enum class rk : std::uint8_t
{
#define CPAMD_USAGE_KEY_ENUM(name) name,
    CPAMD_USAGE_RECORD_KEYS(CPAMD_USAGE_KEY_ENUM)
#undef CPAMD_USAGE_KEY_ENUM
};

inline constexpr std::size_t record_key_count = 0
#define CPAMD_USAGE_KEY_COUNT(name) +1
    CPAMD_USAGE_RECORD_KEYS(CPAMD_USAGE_KEY_COUNT)
#undef CPAMD_USAGE_KEY_COUNT
    ;
static_assert(record_key_count < 256, "rk is one byte");

// The key named `name`, if the parsers know it.
std::optional<rk> record_key_of(std::string_view name) noexcept;

// The values of one object's known keys, found in one pass over its entries.
class indexed_object
{
public:
    indexed_object() noexcept = default; // an absent object: every key is absent
    explicit indexed_object(const boost::json::object& o) noexcept
    {
        for (const auto& kv : o)
            if (auto k = record_key_of(kv.key()))
                values_[static_cast<std::size_t>(*k)] = &kv.value(); // a repeated key: the last wins
    }

    // The value of `k` (null included), or nullptr.
    const boost::json::value* operator[](rk k) const noexcept { return values_[static_cast<std::size_t>(k)]; }

private:
    std::array<const boost::json::value*, record_key_count> values_{};
};

// The same rules as json_access.hpp's functions of the same names, on an index.

inline const boost::json::object* find_object(const indexed_object& o, rk k) noexcept
{
    const auto* v = o[k];
    return v != nullptr ? v->if_object() : nullptr;
}

inline const boost::json::value* find_any(const indexed_object& o, std::initializer_list<rk> keys) noexcept
{
    for (auto k : keys)
        if (const auto* v = o[k]; v != nullptr && !v->is_null())
            return v;
    return nullptr;
}

inline std::string_view first_string(const indexed_object& o, std::initializer_list<rk> keys) noexcept
{
    for (auto k : keys)
        if (const auto* v = o[k])
            if (const auto* s = v->if_string())
                if (auto t = trim(*s); !t.empty())
                    return t;
    return {};
}

inline std::optional<std::int64_t> first_int(const indexed_object& o, std::initializer_list<rk> keys) noexcept
{
    for (auto k : keys)
        if (const auto* v = o[k])
            if (auto i = to_int(*v))
                return i;
    return std::nullopt;
}

inline std::optional<bool> first_bool(const indexed_object& o, std::initializer_list<rk> keys) noexcept
{
    for (auto k : keys)
        if (const auto* v = o[k])
            if (auto b = to_bool(*v))
                return b;
    return std::nullopt;
}

} // namespace cpamd::usage::detail
