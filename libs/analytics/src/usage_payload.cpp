#include <algorithm>
#include <cpamd/analytics/usage_detail.hpp>
#include <cpamd/analytics/usage_payload.hpp>
#include <cpamd/usage/analytics_model.hpp>
#include <cpamd/usage/go_marshal.hpp>

namespace cpamd::analytics
{
namespace
{

constexpr std::int64_t max_window = 50000;

} // namespace

std::int64_t usage_window(std::int64_t query_limit)
{
    return query_limit > 0 ? std::min(query_limit, max_window) : max_window;
}

usage_payload::usage_payload(store::connection& db, std::int64_t window) : lookup_(db)
{
    // Only the grouping columns: the details are read later, one by one, in output order.
    auto s = db.prepare("SELECT id, endpoint, requested_model, model, failed, total_tokens FROM events "
                        "ORDER BY ts_ns DESC, id DESC LIMIT ?1");
    s.bind(1, window > 0 ? window : std::int64_t{-1});
    store::dim_reader dims(db);
    // Rows arrive newest first, so appending keeps every group's ids in detail order.
    while (s.step())
    {
        const std::string& endpoint = dims.value(s.int64(1));
        const std::string& requested = dims.value(s.int64(2));
        const std::string& model = dims.value(s.int64(3));
        std::string model_key(usage::analytics_model(!requested.empty() ? requested : model));
        if (model_key.empty())
            model_key = "-";
        auto& ids = groups_[{endpoint.empty() ? std::string("-") : endpoint, std::move(model_key)}];
        ids.push_back(s.int64(0));
        bool failed = s.int64(4) != 0;
        totals_.total_requests++;
        (failed ? totals_.failure_count : totals_.success_count)++;
        totals_.total_tokens += s.int64(5);
    }
    group_ = groups_.begin();
}

bool usage_payload::next(std::string& out, std::size_t budget)
{
    if (done_)
        return false;
    if (!header_written_)
    {
        out += "{\"total_requests\":";
        usage::append_go_int(out, totals_.total_requests);
        out += ",\"success_count\":";
        usage::append_go_int(out, totals_.success_count);
        out += ",\"failure_count\":";
        usage::append_go_int(out, totals_.failure_count);
        out += ",\"total_tokens\":";
        usage::append_go_int(out, totals_.total_tokens);
        out += ",\"apis\":{";
        header_written_ = true;
    }
    while (group_ != groups_.end() && out.size() < budget)
    {
        const auto& [key, ids] = *group_;
        if (detail_ == 0)
        {
            bool first_group = group_ == groups_.begin();
            bool new_endpoint = first_group || std::prev(group_)->first.first != key.first;
            if (new_endpoint)
            {
                if (!first_group)
                    out += "}},"; // closes the previous endpoint's models and endpoint
                usage::append_go_string(out, key.first);
                out += ":{\"models\":{";
            }
            else
                out.push_back(',');
            usage::append_go_string(out, key.second);
            out += ":{\"details\":[";
        }
        if (detail_ < ids.size())
        {
            // Within one snapshot every id of the window exists; a miss would only drop a detail.
            if (lookup_.read(ids[detail_], row_))
            {
                if (detail_ > 0)
                    out.push_back(',');
                append_usage_detail(out, row_.ev);
            }
            ++detail_;
            continue;
        }
        out += "]}";
        ++group_;
        detail_ = 0;
    }
    if (group_ == groups_.end())
    {
        out += groups_.empty() ? "}}\n" : "}}}}\n";
        done_ = true;
    }
    return !done_;
}

std::string build_usage_payload(store::connection& db, std::int64_t window)
{
    usage_payload p(db, window);
    std::string out;
    while (p.next(out, 1 << 16))
    {
    }
    return out;
}

} // namespace cpamd::analytics
