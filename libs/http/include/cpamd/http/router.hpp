#pragma once

// Method + path table. Patterns are literal segments, "{name}" for one segment, and a final "*"
// for any tail. The most specific path wins (literal > parameter > tail, longer tails first)
// among routes that accept the method; a path that only other methods accept gives 405.

#include <cpamd/http/exchange.hpp>
#include <cpamd/http/types.hpp>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace cpamd::http
{

// Who may call a route; the server's authorizer hook decides what each level means.
enum class auth_level
{
    open,  // anyone
    admin, // a valid admin key
    caller // forwarded with the caller's own credentials (proxy)
};

using handler = std::function<asio::awaitable<response>(exchange&)>;
// Reads the body and writes the response itself through exchange::connection().
using stream_handler = std::function<asio::awaitable<void>(exchange&)>;

struct route_options
{
    std::uint64_t body_limit = 1 << 20; // buffered routes: larger bodies get 413
    auth_level auth = auth_level::open;
    std::string name; // for logs and metrics; defaults to the pattern
};

struct route
{
    std::vector<bhttp::verb> methods; // empty: any method
    std::string pattern;
    handler buffered;
    stream_handler streamed; // set instead of `buffered` for streaming routes
    route_options options;

    // Parsed pattern.
    std::vector<std::string> segments;
    bool tail = false;
};

class router
{
public:
    void
    add(std::initializer_list<bhttp::verb> methods, std::string pattern, handler h, route_options o = {});
    void add_stream(
        std::initializer_list<bhttp::verb> methods,
        std::string pattern,
        stream_handler h,
        route_options o = {}
    );

    enum class outcome
    {
        found,
        not_found,
        method_not_allowed
    };
    struct match
    {
        outcome result = outcome::not_found;
        const route* target = nullptr;
        std::vector<std::pair<std::string, std::string>> params;
    };
    match find(bhttp::verb method, std::string_view path) const;

private:
    // Segment trie over routes_, rebuilt on every insert: find() walks only the branches the
    // path can take instead of trying every route. Nodes and routes are referred to by index.
    struct node
    {
        std::vector<std::pair<std::string, std::uint32_t>> literals; // (segment, child), by length
        std::uint32_t param = 0;          // child for "{name}" segments; 0 (the root) means none
        std::vector<std::uint32_t> exact; // routes whose pattern ends here, ascending
        std::vector<std::uint32_t> tails; // tail routes whose fixed part ends here, ascending
    };
    struct search;

    void insert(route r);
    void rebuild_index();
    std::uint32_t child_for(std::uint32_t at, const std::string& segment);
    std::uint32_t literal_child(std::uint32_t at, std::string_view segment) const;
    void collect(std::uint32_t at, std::string_view rest, bool more, search& s) const;
    void consider(const std::vector<std::uint32_t>& ids, std::string_view rest, search& s) const;

    std::vector<route> routes_; // most specific first: a lower index wins
    std::vector<node> nodes_;   // nodes_[0] is the root
};

} // namespace cpamd::http
