#pragma once

// The rules of PUT /v0/management/api-key-aliases (spec manager-api §5.11), free of HTTP and
// SQL so they can be tested alone: what a valid hash and alias are, and which rows an upsert
// writes and deletes.

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace cpamd::api
{

struct api_key_alias
{
    std::string hash; // 64 lower-case hex digits (SHA-256 of the client key)
    std::string alias;
    std::int64_t updated_at_ms = 0;
};

constexpr std::size_t max_alias_runes = 120;

// The hash trimmed and lower-cased, or nullopt unless it is 64 hex digits.
std::optional<std::string> normalize_api_key_hash(std::string_view raw);

// The alias trimmed (Go's TrimSpace), or nullopt unless it has 1..max_alias_runes code points.
std::optional<std::string> normalize_alias(std::string_view raw);

// Code points in valid UTF-8 (each invalid byte counts as one, as Go's RuneCountInString does).
std::size_t count_runes(std::string_view s) noexcept;

// The key under which two aliases clash: ASCII case folded, as SQLite's NOCASE orders them.
std::string alias_fold(std::string_view alias);

struct alias_put_options
{
    std::optional<std::set<std::string>> active_hashes; // normalized; nullopt when not sent
    bool allow_orphan_cleanup = false;
};

struct alias_plan
{
    bool duplicate = false;           // an alias clash that may not be resolved: write nothing
    std::vector<std::string> deletes; // orphan rows whose alias the request takes
    std::vector<api_key_alias> upserts;
};

// Applies `items` in order on top of `existing` (the table). An item whose alias (folded) belongs
// to another hash clashes; the clash is resolved only by deleting that hash's row, when active
// hashes were sent, the owner is not among them, and cleanup is allowed. Items are validated.
alias_plan plan_alias_put(
    const std::vector<api_key_alias>& existing,
    const std::vector<api_key_alias>& items,
    const alias_put_options& o
);

} // namespace cpamd::api
