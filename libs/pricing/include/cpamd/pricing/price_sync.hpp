#pragma once

// The decisions of POST /v0/management/model-prices/sync (manager-api §5.10), without I/O: which
// source prices which model, what is proposed or left unmatched, which stored rows a sync must
// not touch, and the JSON answer. The route fetches, the writer writes; this decides.
//
// Sources are consulted in priority order (models.dev, LiteLLM, OpenRouter). With a model list,
// each model takes the first source that has a unique identity match for it (model_matching.hpp);
// without one, every entry of every source is imported under its import_name() when that name is
// unambiguous, the higher-priority source winning.

#include <boost/json/object.hpp>
#include <cpamd/pricing/model_matching.hpp>
#include <cpamd/pricing/price_record.hpp>
#include <cpamd/pricing/price_sources.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace cpamd::pricing
{

inline constexpr std::string_view source_models_dev = "models.dev";
inline constexpr std::string_view source_litellm = "litellm";
inline constexpr std::string_view source_openrouter = "openrouter";
inline constexpr std::string_view source_bundled = "bundled";

// Lower is preferred: models.dev 0, litellm 1, openrouter 2, anything else (bundled, manual) 3.
int source_priority(std::string_view source);

// One source after its fetch: a catalog, or the error that made it fail.
struct fetched_source
{
    std::string name;
    std::optional<source_catalog> catalog;
    std::string error;
};

struct sync_candidate
{
    std::string source_model_id;
    double score = 0;
    std::string reason;
    price_record price;
};

struct sync_candidate_set
{
    std::string model;
    std::vector<sync_candidate> candidates;
};

struct sync_source_result
{
    std::string source;
    std::size_t models = 0;
    std::size_t skipped = 0;
    std::string error; // "" when it succeeded
};

// What the sources say, before the stored rows are consulted.
struct sync_selection
{
    price_records records; // model -> the record a sync would write
    std::vector<sync_candidate_set> candidates;
    std::vector<std::string> unmatched;
};

// The sources of one sync, added as they are fetched.
class sync_session
{
public:
    // `models`: the request's list, trimmed, without empties and repeats (empty: all models).
    sync_session(std::vector<std::string> models, std::int64_t now_ms);
    ~sync_session();
    sync_session(const sync_session&) = delete;
    sync_session& operator=(const sync_session&) = delete;

    void add(fetched_source s);

    // A model list was given and each model has a unique identity match in a source so far:
    // the remaining sources need not be fetched.
    bool covered() const;
    bool any_succeeded() const;
    // The 502 message when every source failed.
    std::string failure_message() const;

    sync_selection select() const;
    std::vector<sync_source_result> source_results() const;
    std::vector<std::string> succeeded() const; // names, in priority order
    std::size_t skipped() const;                // unusable entries of the sources that answered
    const std::vector<std::string>& models() const { return models_; }

private:
    struct entry;
    std::vector<std::string> models_;
    std::int64_t now_ms_;
    std::vector<std::unique_ptr<entry>> sources_;
};

// The write a selection turns into, against the rows stored at that moment.
struct sync_write
{
    price_records upserts;
    std::vector<std::string> preserved; // sorted
};

// Rows a sync keeps as they are:
//  - a row whose source is "manual" (set by hand: sync never overwrites it);
//  - a row from a source that failed this time, when the price offered now comes from a
//    lower-priority source or from none (a transient failure must not downgrade it).
// Both are reported as `preserved`. `models` limits the second rule to the requested models.
sync_write plan_write(
    const sync_selection& selection,
    const std::vector<sync_source_result>& results,
    const price_records& stored,
    const std::vector<std::string>& models
);

struct sync_report
{
    std::vector<std::string> sources; // that answered
    std::size_t imported = 0;
    std::size_t skipped = 0;
    price_records matched; // what was written
    std::vector<sync_candidate_set> candidates;
    std::vector<std::string> unmatched;
    std::vector<std::string> preserved;
    bool proxy_used = false;
    std::vector<sync_source_result> source_results;
};

// "models.dev" etc. when one source answered, "multi" for several, "" for none.
std::string report_source(const std::vector<std::string>& sources);

// The answer: {"source","sources","imported","skipped","matched","candidates","unmatched",
// "preserved","proxyUsed","sourceResults","prices"}. Candidates and unmatched names that have a
// price in `prices` (the table after the write) are left out: only what still needs a decision.
boost::json::object sync_report_to_json(const sync_report& r, const price_records& prices);

} // namespace cpamd::pricing
