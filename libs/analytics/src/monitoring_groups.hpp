#pragma once

// Accumulators the monitoring sections share: usage totals, and the rows grouped by model,
// channel, account, credential and API key (monitoring_result.hpp defines every figure).

#include "event_items.hpp"
#include "event_scan.hpp"

#include <climits>
#include <cpamd/analytics/monitoring_result.hpp>
#include <cpamd/pricing/usd_sum.hpp>
#include <cpamd/store/dims.hpp>
#include <cpamd/store/projections.hpp>
#include <cpamd/store/usage_rows.hpp>
#include <map>
#include <tuple>
#include <vector>

namespace cpamd::analytics
{

// What a group's totals add up: one raw event, or one projected row (many events of one hour).
struct usage_piece
{
    std::int64_t calls = 0, failure = 0;
    std::int64_t input = 0, output = 0, reasoning = 0, cache_read = 0, cache_creation = 0, total = 0;
    std::int64_t cost_cache_read = 0; // the canonical cache-read bucket
    double usd = 0;
    std::int64_t latency_samples = 0, latency_sum = 0; // samples > 0 ms
    std::int64_t zero_token_calls = 0;                 // successful calls with total_tokens = 0
    std::int64_t last_seen_ms = 0;
};
usage_piece piece_of(const scan_row& r);
usage_piece piece_of(const store::usage_hour_row& r);
usage_piece piece_of(const store::model_hour_row& r, double usd);
usage_piece piece_of(const store::identity_row& r, double usd);
// A projected identity row as the dims of an event: its newest event's time and id.
scan_row dims_of(const store::identity_row& r);

class totals_acc
{
public:
    void add(const scan_row& r) { add(piece_of(r)); }
    void add(const usage_piece& p);
    usage_totals finish() const;
    std::int64_t calls() const { return calls_; }

private:
    std::int64_t calls_ = 0, failure_ = 0;
    std::int64_t input_ = 0, output_ = 0, reasoning_ = 0, cache_read_ = 0, cache_creation_ = 0, total_ = 0;
    std::int64_t cost_cache_read_ = 0; // the canonical cache-read bucket: cached = it - cache_read
    pricing::usd_sum usd_;
    std::int64_t latency_samples_ = 0, latency_sum_ = 0;
    std::int64_t last_seen_ms_ = 0;
};

// The credential names of a group's newest event (largest (time, id): scans run in time order
// only, so events of one instant may come in any id order), as dim ids until the end.
struct name_ids
{
    std::int64_t source = 0, source_hash = 0, auth_index = 0, auth_file = 0, account = 0, label = 0,
                 auth_provider = 0, provider = 0;
    std::int64_t ts_ns = INT64_MIN, event_id = 0; // of the event the names are from

    void take(const scan_row& r);
    credential_names resolve(store::dim_reader& dims) const;
};

// Rows keyed by one dim id, with their totals; sorted by calls, then by name.
class model_groups
{
public:
    void add(const scan_row& r) { by_model_[r.model].add(r); }
    void add(std::int64_t model, const usage_piece& p) { by_model_[model].add(p); }
    std::vector<model_row> rows(store::dim_reader& dims, const usage_totals& all) const;

private:
    std::map<std::int64_t, totals_acc> by_model_;
};

class channel_groups
{
public:
    void add(const scan_row& r) { add(r, piece_of(r)); }
    void add(const scan_row& r, const usage_piece& p);
    std::vector<channel_row> rows(store::dim_reader& dims, const usage_totals& all) const;

private:
    struct group
    {
        totals_acc totals;
        name_ids names;
    };
    // (auth index, source): the source only counts when there is no auth index.
    std::map<std::pair<std::int64_t, std::int64_t>, group> groups_;
};

class account_groups
{
public:
    void add(const scan_row& r) { add(r, piece_of(r)); }
    void add(const scan_row& r, const usage_piece& p);
    std::vector<account_row> rows(store::dim_reader& dims) const;

private:
    struct group
    {
        totals_acc totals;
        name_ids names;
        std::map<std::int64_t, totals_acc> models;
    };
    std::map<std::int64_t, group> groups_;
};

class credential_groups
{
public:
    void add(const scan_row& r) { add(r, piece_of(r)); }
    void add(const scan_row& r, const usage_piece& p);
    std::vector<credential_row> rows(store::dim_reader& dims) const;

private:
    struct group
    {
        totals_acc totals;
        name_ids names;
    };
    std::map<std::tuple<std::int64_t, std::int64_t, std::int64_t>, group> groups_; // file, index, hash
};

class api_key_groups
{
public:
    void add(const scan_row& r) { add(r, piece_of(r)); }
    void add(const scan_row& r, const usage_piece& p);
    std::vector<api_key_row> rows(store::dim_reader& dims, const alias_map& aliases) const;

private:
    struct group
    {
        totals_acc totals;
        std::map<std::int64_t, totals_acc> models, accounts;
    };
    std::map<std::int64_t, group> groups_;
};

// "<auth file>|<auth index>|<source hash>"
std::string credential_id(const std::string& file, const std::string& index, const std::string& hash);

// Sorts rows by calls descending, then by key ascending.
template <class Row, class Key>
void sort_by_calls(std::vector<Row>& rows, Key key)
{
    std::sort(
        rows.begin(),
        rows.end(),
        [&](const Row& a, const Row& b)
        {
            if (a.totals.calls != b.totals.calls)
                return a.totals.calls > b.totals.calls;
            return key(a) < key(b);
        }
    );
}

} // namespace cpamd::analytics
