#include <algorithm>
#include <boost/json/array.hpp>
#include <cctype>
#include <cpamd/pricing/price_json.hpp>
#include <cpamd/pricing/price_sync.hpp>
#include <set>

namespace cpamd::pricing
{

namespace json = boost::json;

struct sync_session::entry
{
    fetched_source source;
    std::optional<model_matcher> matcher; // set when the source answered
};

namespace
{

price_record record_of(std::string_view source, const source_model& m, std::int64_t now_ms, bool with_raw)
{
    price_record r;
    r.price = m.price;
    r.source = std::string(source);
    r.source_model_id = m.id;
    if (with_raw)
        r.raw_json = m.raw_json;
    r.updated_at_ms = now_ms;
    r.synced_at_ms = now_ms;
    return r;
}

bool is_manual(std::string_view source)
{
    while (!source.empty() && std::isspace(static_cast<unsigned char>(source.front())))
        source.remove_prefix(1);
    while (!source.empty() && std::isspace(static_cast<unsigned char>(source.back())))
        source.remove_suffix(1);
    std::string low(source);
    std::transform(low.begin(), low.end(), low.begin(), [](unsigned char c) { return std::tolower(c); });
    return low == "manual";
}

json::array strings(const std::vector<std::string>& list)
{
    json::array a;
    for (const auto& s : list)
        a.emplace_back(s);
    return a;
}

} // namespace

int source_priority(std::string_view source)
{
    if (source == source_models_dev)
        return 0;
    if (source == source_litellm)
        return 1;
    if (source == source_openrouter)
        return 2;
    return 3;
}

sync_session::sync_session(std::vector<std::string> models, std::int64_t now_ms)
    : models_(std::move(models)), now_ms_(now_ms)
{
}

sync_session::~sync_session() = default;

void sync_session::add(fetched_source s)
{
    auto e = std::make_unique<entry>();
    e->source = std::move(s);
    if (e->source.catalog)
        e->matcher.emplace(*e->source.catalog); // the catalog lives in the entry: its address is stable
    sources_.push_back(std::move(e));
}

bool sync_session::covered() const
{
    if (models_.empty())
        return false;
    return std::all_of(
        models_.begin(),
        models_.end(),
        [this](const std::string& name)
        {
            return std::any_of(
                sources_.begin(),
                sources_.end(),
                [&](const auto& e) { return e->matcher && e->matcher->identify(name).unique; }
            );
        }
    );
}

bool sync_session::any_succeeded() const
{
    return std::any_of(
        sources_.begin(), sources_.end(), [](const auto& e) { return e->matcher.has_value(); }
    );
}

std::string sync_session::failure_message() const
{
    std::string why;
    for (const auto& e : sources_)
        if (!e->matcher)
            why += (why.empty() ? "" : "; ") + e->source.name + ": " + e->source.error;
    if (why.empty())
        why = "no price sync sources configured";
    return "model price sync failed; existing prices were not changed: " + why;
}

sync_selection sync_session::select() const
{
    sync_selection out;
    // The first source with a unique identity match prices the name.
    auto price_of = [&](const std::string& name) -> bool
    {
        for (const auto& e : sources_)
        {
            if (!e->matcher)
                continue;
            if (auto id = e->matcher->identify(name); id.unique)
            {
                const auto& m = e->source.catalog->models[*id.unique];
                out.records.insert_or_assign(name, record_of(e->source.name, m, now_ms_, true));
                return true;
            }
        }
        return false;
    };

    if (models_.empty())
    {
        std::set<std::string> names;
        for (const auto& e : sources_)
            if (e->matcher)
                for (const auto& m : e->source.catalog->models)
                    names.insert(import_name(m));
        for (const auto& name : names)
            price_of(name);
        return out;
    }

    for (const auto& name : models_)
    {
        if (price_of(name))
            continue;
        sync_candidate_set set{name, {}};
        for (const auto& e : sources_)
        {
            if (!e->matcher)
                continue;
            for (const auto& c : e->matcher->candidates(name))
            {
                const auto& m = e->source.catalog->models[c.index];
                // Without rawJson: eight candidates per source would otherwise carry every entry's text.
                set.candidates.push_back(
                    {m.id, c.score, c.reason, record_of(e->source.name, m, now_ms_, false)}
                );
            }
        }
        if (set.candidates.empty())
            out.unmatched.push_back(name);
        else
            out.candidates.push_back(std::move(set));
    }
    return out;
}

std::vector<sync_source_result> sync_session::source_results() const
{
    std::vector<sync_source_result> out;
    for (const auto& e : sources_)
    {
        sync_source_result r{e->source.name, 0, 0, e->source.error};
        if (e->source.catalog)
        {
            r.models = e->source.catalog->models.size();
            r.skipped = e->source.catalog->skipped;
        }
        out.push_back(std::move(r));
    }
    return out;
}

std::vector<std::string> sync_session::succeeded() const
{
    std::vector<std::string> out;
    for (const auto& e : sources_)
        if (e->matcher)
            out.push_back(e->source.name);
    return out;
}

std::size_t sync_session::skipped() const
{
    std::size_t n = 0;
    for (const auto& e : sources_)
        if (e->source.catalog)
            n += e->source.catalog->skipped;
    return n;
}

sync_write plan_write(
    const sync_selection& selection,
    const std::vector<sync_source_result>& results,
    const price_records& stored,
    const std::vector<std::string>& models
)
{
    sync_write out;
    std::set<std::string, std::less<>> failed;
    for (const auto& r : results)
        if (!r.error.empty())
            failed.insert(r.source);
    const std::set<std::string, std::less<>> scope(models.begin(), models.end());
    std::set<std::string> preserved;

    for (const auto& [model, row] : stored)
    {
        if (!failed.contains(row.source) || (!scope.empty() && !scope.contains(model)))
            continue;
        auto offered = selection.records.find(model);
        if (offered == selection.records.end() ||
            source_priority(offered->second.source) > source_priority(row.source))
            preserved.insert(model);
    }
    for (const auto& [model, record] : selection.records)
    {
        if (preserved.contains(model))
            continue;
        if (auto it = stored.find(model); it != stored.end() && is_manual(it->second.source))
        {
            preserved.insert(model);
            continue;
        }
        out.upserts.emplace(model, record);
    }
    out.preserved.assign(preserved.begin(), preserved.end());
    return out;
}

std::string report_source(const std::vector<std::string>& sources)
{
    if (sources.size() == 1)
        return sources.front();
    return sources.empty() ? std::string() : std::string("multi");
}

json::object sync_report_to_json(const sync_report& r, const price_records& prices)
{
    json::array candidates;
    for (const auto& set : r.candidates)
    {
        if (prices.contains(set.model))
            continue;
        json::array list;
        for (const auto& c : set.candidates)
            list.push_back(json::object{
                {"sourceModelId", c.source_model_id},
                {"score", c.score},
                {"reason", c.reason},
                {"price", price_record_to_json(c.price)}});
        candidates.push_back(json::object{{"model", set.model}, {"candidates", std::move(list)}});
    }
    std::vector<std::string> unmatched;
    for (const auto& m : r.unmatched)
        if (!prices.contains(m))
            unmatched.push_back(m);
    json::array results;
    for (const auto& s : r.source_results)
    {
        json::object o{{"source", s.source}, {"models", s.models}, {"skipped", s.skipped}};
        if (!s.error.empty())
            o["error"] = s.error;
        results.push_back(std::move(o));
    }
    return json::object{
        {"source", report_source(r.sources)},
        {"sources", strings(r.sources)},
        {"imported", r.imported},
        {"skipped", r.skipped},
        {"matched", price_records_to_json(r.matched)},
        {"candidates", std::move(candidates)},
        {"unmatched", strings(unmatched)},
        {"preserved", strings(r.preserved)},
        {"proxyUsed", r.proxy_used},
        {"sourceResults", std::move(results)},
        {"prices", price_records_to_json(prices)},
    };
}

} // namespace cpamd::pricing
