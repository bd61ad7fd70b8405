#include <algorithm>
#include <boost/container/small_vector.hpp>
#include <cpamd/http/router.hpp>
#include <stdexcept>

namespace cpamd::http
{
namespace
{

// Paths have a handful of segments: kept inline, no allocation per request.
using path_parts = boost::container::small_vector<std::string_view, 16>;

path_parts split_path(std::string_view path)
{
    path_parts out;
    if (!path.empty() && path.front() == '/')
        path.remove_prefix(1);
    while (true)
    {
        auto slash = path.find('/');
        out.push_back(path.substr(0, slash));
        if (slash == std::string_view::npos)
            break;
        path.remove_prefix(slash + 1);
    }
    return out;
}

bool is_param(std::string_view seg)
{
    return seg.size() > 2 && seg.front() == '{' && seg.back() == '}';
}

// Higher is more specific: literals weigh most, then parameters; a tail route ranks below any
// full-length match, and among tails the longer fixed part wins.
long specificity(const route& r)
{
    long score = 0;
    for (const auto& s : r.segments)
        score += is_param(s) ? 1 : 4;
    return r.tail ? score : 100000 + score;
}

bool match_path(
    const route& r, const path_parts& parts, std::vector<std::pair<std::string, std::string>>& params
)
{
    if (r.tail ? parts.size() < r.segments.size() : parts.size() != r.segments.size())
        return false;
    params.clear();
    for (std::size_t i = 0; i < r.segments.size(); ++i)
    {
        const auto& seg = r.segments[i];
        if (is_param(seg))
        {
            if (parts[i].empty())
                return false;
            params.emplace_back(seg.substr(1, seg.size() - 2), std::string(parts[i]));
        }
        else if (seg != parts[i])
            return false;
    }
    if (r.tail)
    {
        std::string rest;
        for (std::size_t i = r.segments.size(); i < parts.size(); ++i)
            rest += (i == r.segments.size() ? "" : "/") + std::string(parts[i]);
        params.emplace_back("*", std::move(rest));
    }
    return true;
}

} // namespace

void router::insert(route r)
{
    auto parts = split_path(r.pattern);
    if (!parts.empty() && parts.back() == "*")
    {
        r.tail = true;
        parts.pop_back();
    }
    for (auto p : parts)
        r.segments.emplace_back(p);
    if (r.options.name.empty())
        r.options.name = r.pattern;
    routes_.push_back(std::move(r));
    // Most specific first, so find() can stop at the first usable match.
    std::stable_sort(
        routes_.begin(),
        routes_.end(),
        [](const route& a, const route& b) { return specificity(a) > specificity(b); }
    );
}

void router::add(std::initializer_list<bhttp::verb> methods, std::string pattern, handler h, route_options o)
{
    insert(route{methods, std::move(pattern), std::move(h), {}, std::move(o), {}, false});
}

void router::add_stream(
    std::initializer_list<bhttp::verb> methods, std::string pattern, stream_handler h, route_options o
)
{
    insert(route{methods, std::move(pattern), {}, std::move(h), std::move(o), {}, false});
}

router::match router::find(bhttp::verb method, std::string_view path) const
{
    auto parts = split_path(path);
    match m;
    std::vector<std::pair<std::string, std::string>> params;
    for (const auto& r : routes_)
    {
        if (!match_path(r, parts, params))
            continue;
        bool method_ok =
            r.methods.empty() || std::find(r.methods.begin(), r.methods.end(), method) != r.methods.end();
        if (method_ok)
        {
            m.result = outcome::found;
            m.target = &r;
            m.params = std::move(params);
            return m;
        }
        m.result = outcome::method_not_allowed;
    }
    return m;
}

} // namespace cpamd::http
