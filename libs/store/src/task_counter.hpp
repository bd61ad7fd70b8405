#pragma once

// Approximate tasks (events of one instant and credential: source hash and auth index) and the
// projected rows they fall in (projections.hpp). A task whose events all share one row is
// counted in that row; one that spans rows is kept as a span, so a reader that keeps some rows
// counts it once if it keeps any of them. `Row` is a projection's row key, with a `failed()`.

#include <algorithm>
#include <cpamd/store/projections.hpp>
#include <cstdint>
#include <map>
#include <utility>
#include <vector>

namespace cpamd::store
{

template <class Row, class Sums>
class task_counter
{
public:
    explicit task_counter(std::map<Row, Sums>& rows) : rows_(rows) {}

    // Events come in time order.
    void add(std::int64_t ts, std::int64_t source_hash, std::int64_t auth_index, const Row& row)
    {
        if (ts != ts_ns_)
            flush(), ts_ns_ = ts;
        auto& rows = open_[{source_hash, auth_index}];
        if (std::find(rows.begin(), rows.end(), row) == rows.end())
            rows.push_back(row);
    }
    void flush()
    {
        for (auto& [credential, rows] : open_)
        {
            ++tasks;
            failed += std::any_of(rows.begin(), rows.end(), [](const Row& k) { return k.failed(); });
            if (rows.size() == 1)
                rows_[rows.front()].tasks++;
            else
                spans.push_back(std::move(rows));
        }
        open_.clear();
    }

    std::int64_t tasks = 0, failed = 0;
    std::vector<std::vector<Row>> spans; // the rows of each task that spans several

private:
    std::map<Row, Sums>& rows_;
    std::int64_t ts_ns_ = 0;
    std::map<std::pair<std::int64_t, std::int64_t>, std::vector<Row>> open_;
};

// The tasks of [first_hour, end_hour) listed in span table `table` (hour, task, the row's key
// columns, failed) with an entry that `extra_sql` keeps: each once, failed when a kept entry is.
span_task_counts count_span_entries(
    connection& db,
    std::string_view table,
    std::int64_t first_hour,
    std::int64_t end_hour,
    std::string_view extra_sql
);

} // namespace cpamd::store
