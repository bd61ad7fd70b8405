#pragma once

// String interning: every repeated string of an event (model, endpoint, source, ...) is stored
// once in the `dim` table and referenced by integer id. Id 0 means "absent" (the empty string)
// and has no row.

#include <cpamd/store/sqlite.hpp>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace cpamd::store
{

enum class dim_kind : std::uint8_t
{
    model = 1, // model, requested_model, resolved_model
    provider = 2,
    executor = 3,
    endpoint = 4,
    method = 5,
    path = 6,
    reasoning_effort = 7,
    service_tier = 8, // service_tier, request_service_tier, response_service_tier
    cache_input_mode = 9,
    client_ip = 10,
    x_forwarded_for = 11,
    user_agent = 12,
    auth_type = 13,
    auth_index = 14,
    source = 15,
    source_hash = 16,
    api_key_hash = 17,
    snapshot = 18, // account, auth label, auth file, auth provider, auth project id
    quota_plan_type = 19,
    error_kind = 20,
    error_code = 21,
};

// The writer's interning cache. Not thread-safe: used only on the writer thread.
class dim_writer
{
public:
    explicit dim_writer(connection& db);

    // The id of (kind, value), inserting it if new; 0 for an empty value.
    std::int64_t intern(dim_kind kind, std::string_view value);
    // Forgets ids handed out since the last commit point (their rows may have been rolled back).
    void rollback();
    void commit() { fresh_.clear(); }

private:
    std::int64_t lookup_or_insert(dim_kind kind, std::string_view value);

    // Transparent, so lookups by string_view allocate nothing (the hot path of every insert).
    struct key_hash
    {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
    };
    using kind_cache = std::unordered_map<std::string, std::int64_t, key_hash, std::equal_to<>>;
    static constexpr std::size_t kind_count = 32;
    // The last value interned per kind: consecutive events mostly repeat it (one method, a few
    // providers, model and tier given three times per event), and a compare is cheaper than a
    // hash lookup. Same lifetime as the cache's entries (cleared by rollback()).
    struct last_value
    {
        std::string value;
        std::int64_t id = 0; // 0 = none
    };

    connection& db_;
    statement insert_;
    statement select_;
    kind_cache cache_[kind_count];
    last_value last_[kind_count];
    std::vector<std::pair<dim_kind, std::string>> fresh_;
};

// Read side: the id of (kind, value) without interning it: 0 for an empty value, nullopt when
// no event names it.
std::optional<std::int64_t> find_dim(connection& db, dim_kind kind, std::string_view value);

// Read side: id -> string for a set of ids, loaded once per query.
class dim_reader
{
public:
    explicit dim_reader(connection& db) : db_(db) {}
    // The value of `id` ("" for 0 or an unknown id).
    const std::string& value(std::int64_t id);

private:
    connection& db_;
    std::unordered_map<std::int64_t, std::string> cache_;
    statement select_;
};

} // namespace cpamd::store
