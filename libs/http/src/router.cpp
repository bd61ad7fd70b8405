#include <algorithm>
#include <cpamd/http/router.hpp>
#include <limits>

namespace cpamd::http
{
namespace
{

constexpr std::uint32_t no_route = std::numeric_limits<std::uint32_t>::max();

// A path loses one leading '/' and is then split on every '/', empty segments included, so
// "/a/" is {"a", ""} and the rest of a path after some segments is a plain substring of it.
std::string_view without_leading_slash(std::string_view path)
{
    if (!path.empty() && path.front() == '/')
        path.remove_prefix(1);
    return path;
}

// Takes the next segment off `rest`. `more` tells whether another one follows: after a
// trailing '/' one empty segment is still left.
std::string_view next_segment(std::string_view& rest, bool& more)
{
    const char* end = rest.data() + rest.size();
    const char* slash = std::find(rest.data(), end, '/'); // inline: segments are short
    std::string_view segment(rest.data(), slash);
    more = slash != end;
    rest = std::string_view(more ? slash + 1 : end, end);
    return segment;
}

bool is_param(std::string_view seg)
{
    return seg.size() > 2 && seg.front() == '{' && seg.back() == '}';
}

// Literal children are kept in length order (see literal_child).
bool shorter(const std::pair<std::string, std::uint32_t>& edge, std::size_t size)
{
    return edge.first.size() < size;
}

// Equality of two strings of one length. Their first and last bytes settle most mismatches
// without a call to memcmp.
bool same_length_equal(std::string_view a, std::string_view b)
{
    return a.empty() || (a.front() == b.front() && a.back() == b.back() && a == b);
}

bool accepts(const route& r, bhttp::verb method)
{
    return r.methods.empty() || std::find(r.methods.begin(), r.methods.end(), method) != r.methods.end();
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

// The winner's parameters in pattern order, then the tail ("*") if it has one. Built only
// once the winner is known, and not at all (no allocation) for a route without parameters.
std::vector<std::pair<std::string, std::string>>
params_of(const route& r, std::string_view path, std::string_view tail)
{
    std::vector<std::pair<std::string, std::string>> params;
    auto named =
        std::count_if(r.segments.begin(), r.segments.end(), [](const auto& s) { return is_param(s); });
    params.reserve(named + (r.tail ? 1 : 0));
    if (named != 0)
    {
        auto rest = without_leading_slash(path);
        bool more = true;
        for (std::string_view seg : r.segments)
            if (auto part = next_segment(rest, more); is_param(seg))
                params.emplace_back(seg.substr(1, seg.size() - 2), part);
    }
    if (r.tail)
        params.emplace_back("*", tail);
    return params;
}

} // namespace

// What find() has seen so far.
struct router::search
{
    bhttp::verb method;
    std::uint32_t best = no_route; // lowest (most specific) route that takes the method
    std::string_view rest;         // the path after the best route's fixed segments
    bool path_matched = false;     // some route's path matched, whatever its methods
};

void router::insert(route r)
{
    auto rest = without_leading_slash(r.pattern);
    for (bool more = true; more;)
        r.segments.emplace_back(next_segment(rest, more));
    if (r.segments.back() == "*")
    {
        r.tail = true;
        r.segments.pop_back();
    }
    if (r.options.name.empty())
        r.options.name = r.pattern;
    routes_.push_back(std::move(r));
    // Most specific first, so the lowest matching index wins; the index refers to positions.
    std::stable_sort(
        routes_.begin(),
        routes_.end(),
        [](const route& a, const route& b) { return specificity(a) > specificity(b); }
    );
    rebuild_index();
}

void router::rebuild_index()
{
    nodes_.assign(1, node{});
    for (std::uint32_t id = 0; id < routes_.size(); ++id)
    {
        const route& r = routes_[id];
        std::uint32_t at = 0;
        for (const auto& seg : r.segments)
            at = child_for(at, seg);
        // Ascending ids, since routes are indexed in order.
        (r.tail ? nodes_[at].tails : nodes_[at].exact).push_back(id);
    }
}

// The child of `at` for a pattern segment, created when missing.
std::uint32_t router::child_for(std::uint32_t at, const std::string& segment)
{
    auto fresh = static_cast<std::uint32_t>(nodes_.size());
    if (is_param(segment))
    {
        if (nodes_[at].param != 0)
            return nodes_[at].param;
        nodes_[at].param = fresh;
    }
    else
    {
        if (auto child = literal_child(at, segment))
            return child;
        auto& literals = nodes_[at].literals;
        literals.emplace(
            std::lower_bound(literals.begin(), literals.end(), segment.size(), shorter), segment, fresh
        );
    }
    nodes_.emplace_back(); // last: it may move the node `literals` refers to
    return fresh;
}

// The child of `at` for a literal path segment, or 0 when there is none. Nodes have a few
// children: a scan in length order beats a binary search, and stops at longer literals.
std::uint32_t router::literal_child(std::uint32_t at, std::string_view segment) const
{
    for (const auto& [literal, child] : nodes_[at].literals)
    {
        if (literal.size() < segment.size())
            continue;
        if (literal.size() > segment.size())
            return 0;
        if (same_length_equal(literal, segment))
            return child;
    }
    return 0;
}

// Routes in `ids` match the path, `rest` is what follows their fixed segments; the first one
// taking the method is the best of them.
void router::consider(const std::vector<std::uint32_t>& ids, std::string_view rest, search& s) const
{
    s.path_matched = true;
    for (auto id : ids)
    {
        if (id >= s.best)
            return;
        if (accepts(routes_[id], s.method))
        {
            s.best = id;
            s.rest = rest;
            return;
        }
    }
}

// Visits every node the path reaches. At node `at`, `rest` holds the segments not consumed yet
// and `more` whether there is any (see next_segment). A segment can match both a literal and a
// parameter child: the literal one is followed in the loop, the other by recursion.
void router::collect(std::uint32_t at, std::string_view rest, bool more, search& s) const
{
    while (true)
    {
        const node& n = nodes_[at];
        if (!n.tails.empty())
            consider(n.tails, rest, s); // a tail takes whatever is left, even nothing
        if (!more)
        {
            if (!n.exact.empty())
                consider(n.exact, rest, s);
            return;
        }
        auto segment = next_segment(rest, more);
        if (n.param != 0 && !segment.empty())
            collect(n.param, rest, more, s);
        at = literal_child(at, segment);
        if (at == 0)
            return;
    }
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
    match m;
    if (routes_.empty())
        return m;
    search s{method};
    collect(0, without_leading_slash(path), true, s);
    if (s.best != no_route)
    {
        m.result = outcome::found;
        m.target = &routes_[s.best];
        m.params = params_of(*m.target, path, s.rest);
    }
    else if (s.path_matched)
        m.result = outcome::method_not_allowed;
    return m;
}

} // namespace cpamd::http
