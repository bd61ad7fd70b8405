#pragma once

// Which entry of a price source prices a model name (manager-api §5.10 sync). Only a UNIQUE
// identity match is taken; otherwise the sync proposes up to 8 candidates per source for the
// administrator to pick, or reports the name as unmatched.
//
// Identity levels, tried in order; the first level with any match decides:
//   exact            the source id equals the name ("gpt-5" = "gpt-5")
//   case-insensitive the same, ignoring ASCII case
//   source-model-id  another name the source gives the entry (models.dev's id without provider,
//                    OpenRouter's canonical_slug), ignoring case
//   provider-prefix  the parts after the last '/' agree ("openai/gpt-5" and "gpt-5")
//   normalized       normalize_model_name() agrees ("claude-sonnet-4.5" and "claude-sonnet-4-5-20250929")
// Several matches at one level still count as one when they carry the same price, or when exactly
// one of them is a models.dev canonical (official) listing; otherwise the name is ambiguous.
//
// Fuzzy candidates: name_similarity() of the normalized names, kept from 0.55 up.

#include <cpamd/pricing/price_sources.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace cpamd::pricing
{

// The part after the last '/' ("openai/gpt-5" -> "gpt-5").
std::string_view model_tail(std::string_view id);

// Tail, lower-cased, a trailing release date removed (-20250929, -2025-09-29), then everything
// but ASCII letters and digits dropped: "Claude-Sonnet-4.5" and "claude-sonnet-4-5-20250929" both
// give "claudesonnet45".
std::string normalize_model_name(std::string_view id);

// 0..1 for two names: the Sørensen-Dice coefficient of the character bigrams of their
// normalized forms (shared pairs of adjacent characters, 2|A∩B| / (|A|+|B|)), at least 0.75 when
// one normalized name contains the other. 1 only for equal normalized names.
double name_similarity(std::string_view a, std::string_view b);

bool same_price(const model_price& a, const model_price& b);

struct identity_match
{
    std::optional<std::size_t> unique;  // index into the catalog's models
    std::string reason;                 // the level: "exact", "case-insensitive", ...
    std::vector<std::size_t> ambiguous; // several disagreeing matches at the deciding level
};

struct candidate
{
    std::size_t index = 0;
    double score = 0; // rounded to 2 decimals
    std::string reason;
};

class model_matcher
{
public:
    static constexpr std::size_t max_candidates = 8;
    static constexpr double min_score = 0.55;

    // Indexes `catalog`, which must outlive the matcher.
    explicit model_matcher(const source_catalog& catalog);

    identity_match identify(std::string_view name) const;

    // Candidates for a name with no unique identity match: the ambiguous identity matches (scored
    // by level) or else the most similar entries; best first, at most max_candidates.
    std::vector<candidate> candidates(std::string_view name) const;

    const source_catalog& catalog() const { return catalog_; }

private:
    using index = std::unordered_map<std::string, std::vector<std::size_t>>;

    const source_catalog& catalog_;
    index exact_, lower_, alias_, tail_, normalized_;
    std::vector<std::string> normalized_names_;       // per model, for fuzzy scoring
    std::vector<std::vector<std::uint16_t>> bigrams_; // per model: normalized name's bigrams, sorted
};

// The name a sync without a model list imports an entry under: models.dev's id without its
// provider, otherwise the source id.
std::string import_name(const source_model& m);

} // namespace cpamd::pricing
