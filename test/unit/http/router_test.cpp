#include <algorithm>
#include <atomic>
#include <catch2/catch.hpp>
#include <cpamd/http/router.hpp>
#include <cstdlib>
#include <new>
#include <random>
#include <string>
#include <string_view>
#include <vector>

// Counts heap allocations for the test that find() makes none. Replacing the global operator
// new is program-wide: it only counts, and allocates as the default one does.
namespace
{
std::atomic<long> allocations{0};
}

void* operator new(std::size_t size)
{
    allocations.fetch_add(1, std::memory_order_relaxed);
    if (void* p = std::malloc(size == 0 ? 1 : size))
        return p;
    throw std::bad_alloc();
}

// The standard library also allocates through the nothrow form (std::stable_sort's temporary
// buffer): it must come from the same malloc as the deletes below, or sanitizers see a mismatch.
void* operator new(std::size_t size, const std::nothrow_t&) noexcept
{
    allocations.fetch_add(1, std::memory_order_relaxed);
    return std::malloc(size == 0 ? 1 : size);
}

void operator delete(void* p) noexcept
{
    std::free(p);
}

void operator delete(void* p, const std::nothrow_t&) noexcept
{
    std::free(p);
}

void operator delete(void* p, std::size_t) noexcept
{
    std::free(p);
}

namespace
{

using cpamd::http::router;
using verb = cpamd::http::bhttp::verb;

cpamd::http::asio::awaitable<cpamd::http::response> no_op(cpamd::http::exchange&)
{
    co_return cpamd::http::response{};
}

// The router never calls handlers; routes are told apart by their option names.
cpamd::http::handler named(std::string)
{
    return [](cpamd::http::exchange& ex) { return no_op(ex); };
}

router sample()
{
    router r;
    r.add({verb::get}, "/health", named("health"), {.name = "health"});
    r.add({verb::get, verb::put}, "/usage-service/config", named("config"), {.name = "config"});
    r.add({verb::get}, "/v0/management/usage", named("usage"), {.name = "usage"});
    r.add({verb::get}, "/v0/management/usage/import-sessions/{id}", named("session"), {.name = "session"});
    r.add({verb::put}, "/v0/management/usage/import-sessions/{id}/chunk", named("chunk"), {.name = "chunk"});
    r.add({}, "/v0/management/*", named("proxy"), {.name = "proxy"});
    r.add({verb::get}, "/v0/management/model-prices/*", named("prices"), {.name = "prices"});
    return r;
}

} // namespace

TEST_CASE("exact routes match by method and path", "[router]")
{
    auto r = sample();
    auto m = r.find(verb::get, "/health");
    REQUIRE(m.result == router::outcome::found);
    CHECK(m.target->options.name == "health");

    m = r.find(verb::put, "/usage-service/config");
    REQUIRE(m.result == router::outcome::found);
    CHECK(m.target->options.name == "config");
}

TEST_CASE("unknown paths are not found and wrong methods are 405", "[router]")
{
    auto r = sample();
    CHECK(r.find(verb::get, "/nope").result == router::outcome::not_found);
    CHECK(r.find(verb::get, "/health/").result == router::outcome::not_found);
    CHECK(r.find(verb::get, "/healthz").result == router::outcome::not_found);
    CHECK(r.find(verb::post, "/health").result == router::outcome::method_not_allowed);
    CHECK(r.find(verb::delete_, "/usage-service/config").result == router::outcome::method_not_allowed);
}

TEST_CASE("parameters capture one segment", "[router]")
{
    auto r = sample();
    auto m = r.find(verb::get, "/v0/management/usage/import-sessions/abc123");
    REQUIRE(m.result == router::outcome::found);
    CHECK(m.target->options.name == "session");
    REQUIRE(m.params.size() == 1);
    CHECK(m.params[0] == std::pair<std::string, std::string>{"id", "abc123"});

    m = r.find(verb::put, "/v0/management/usage/import-sessions/abc123/chunk");
    REQUIRE(m.result == router::outcome::found);
    CHECK(m.target->options.name == "chunk");
}

TEST_CASE("a literal route beats a tail route, and a longer tail beats a shorter one", "[router]")
{
    auto r = sample();
    auto m = r.find(verb::get, "/v0/management/usage");
    REQUIRE(m.result == router::outcome::found);
    CHECK(m.target->options.name == "usage");

    m = r.find(verb::get, "/v0/management/model-prices/sync");
    REQUIRE(m.result == router::outcome::found);
    CHECK(m.target->options.name == "prices");

    m = r.find(verb::delete_, "/v0/management/auth-files/x.json");
    REQUIRE(m.result == router::outcome::found);
    CHECK(m.target->options.name == "proxy");
    REQUIRE(m.params.size() == 1);
    CHECK(m.params[0].second == "auth-files/x.json");
}

TEST_CASE("a method the specific route lacks falls through to a general route that takes it", "[router]")
{
    auto r = sample();
    auto m = r.find(verb::post, "/v0/management/usage");
    REQUIRE(m.result == router::outcome::found);
    CHECK(m.target->options.name == "proxy");
}

TEST_CASE("a tail route matches its bare prefix", "[router]")
{
    auto r = sample();
    auto m = r.find(verb::get, "/v0/management/model-prices");
    REQUIRE(m.result == router::outcome::found);
    CHECK(m.target->options.name == "prices");
}

TEST_CASE("the tail parameter is the rest of the path as written", "[router]")
{
    router r;
    r.add({}, "/a/*", named("a"), {.name = "a"});
    r.add({}, "/*", named("all"), {.name = "all"});
    auto tail_of = [&](std::string_view path)
    {
        auto m = r.find(verb::get, path);
        REQUIRE(m.result == router::outcome::found);
        REQUIRE(!m.params.empty());
        CHECK(m.params.back().first == "*");
        return m.target->options.name + " " + m.params.back().second;
    };
    CHECK(tail_of("/a") == "a ");
    CHECK(tail_of("/a/") == "a ");
    CHECK(tail_of("/a//") == "a /");
    CHECK(tail_of("/a/b//c/") == "a b//c/");
    CHECK(tail_of("/ab") == "all ab");
    CHECK(tail_of("/") == "all ");
    CHECK(tail_of("") == "all ");
    CHECK(tail_of("//a") == "all /a");
}

TEST_CASE("find allocates nothing unless the route has parameters", "[router]")
{
    auto r = sample();
    auto allocations_of = [&](verb method, std::string_view path, router::outcome expected)
    {
        long before = allocations.load();
        auto m = r.find(method, path);
        long made = allocations.load() - before;
        CHECK(m.result == expected);
        return made;
    };
    CHECK(allocations_of(verb::get, "/v0/management/usage", router::outcome::found) == 0);
    CHECK(allocations_of(verb::put, "/usage-service/config", router::outcome::found) == 0);
    CHECK(allocations_of(verb::get, "/nope/at/all", router::outcome::not_found) == 0);
    CHECK(allocations_of(verb::post, "/health", router::outcome::method_not_allowed) == 0);
    // A tail match needs the params vector; a short tail value fits the string's inline buffer.
    CHECK(allocations_of(verb::get, "/v0/management/config", router::outcome::found) == 1);
}

namespace
{

// The router's semantics as a plain linear scan, as it was implemented before the trie: split
// the path on every '/', try the routes most specific first, and the first whose path matches
// and that takes the method wins. find() must agree with it on every path.
class linear_router
{
public:
    struct spec
    {
        std::vector<verb> methods; // empty: any
        std::string pattern;
        std::string name;
    };
    struct result
    {
        router::outcome outcome = router::outcome::not_found;
        std::string name;
        std::vector<std::pair<std::string, std::string>> params;
    };

    explicit linear_router(const std::vector<spec>& specs)
    {
        for (const auto& s : specs)
        {
            parsed p{&s, split(s.pattern), false, 0};
            if (p.segments.back() == "*")
            {
                p.tail = true;
                p.segments.pop_back();
            }
            for (const auto& seg : p.segments)
                p.score += is_param(seg) ? 1 : 4;
            if (!p.tail)
                p.score += 100000;
            routes_.push_back(std::move(p));
        }
        std::stable_sort(
            routes_.begin(), routes_.end(), [](const parsed& a, const parsed& b) { return a.score > b.score; }
        );
    }

    result find(verb method, std::string_view path) const
    {
        auto parts = split(path);
        result out;
        for (const auto& r : routes_)
        {
            std::vector<std::pair<std::string, std::string>> params;
            if (!match(r, parts, params))
                continue;
            const auto& ms = r.source->methods;
            if (ms.empty() || std::find(ms.begin(), ms.end(), method) != ms.end())
                return {router::outcome::found, r.source->name, std::move(params)};
            out.outcome = router::outcome::method_not_allowed;
        }
        return out;
    }

private:
    struct parsed
    {
        const spec* source;
        std::vector<std::string> segments;
        bool tail;
        long score;
    };

    static std::vector<std::string> split(std::string_view path)
    {
        if (!path.empty() && path.front() == '/')
            path.remove_prefix(1);
        std::vector<std::string> out;
        std::string current;
        for (char c : path)
        {
            if (c == '/')
                out.push_back(std::exchange(current, {}));
            else
                current += c;
        }
        out.push_back(current);
        return out;
    }

    static bool is_param(const std::string& seg)
    {
        return seg.size() > 2 && seg.front() == '{' && seg.back() == '}';
    }

    static bool match(
        const parsed& r,
        const std::vector<std::string>& parts,
        std::vector<std::pair<std::string, std::string>>& params
    )
    {
        if (r.tail ? parts.size() < r.segments.size() : parts.size() != r.segments.size())
            return false;
        for (std::size_t i = 0; i < r.segments.size(); ++i)
        {
            const auto& seg = r.segments[i];
            if (is_param(seg))
            {
                if (parts[i].empty())
                    return false;
                params.emplace_back(seg.substr(1, seg.size() - 2), parts[i]);
            }
            else if (seg != parts[i])
                return false;
        }
        if (r.tail)
        {
            std::string rest;
            for (std::size_t i = r.segments.size(); i < parts.size(); ++i)
                rest += (i == r.segments.size() ? "" : "/") + parts[i];
            params.emplace_back("*", std::move(rest));
        }
        return true;
    }

    std::vector<parsed> routes_;
};

// The daemon's table plus overlaps the router must order: parameters next to literals, tails at
// several depths, a catch-all, method-restricted twins, duplicates, and empty literal segments.
// Calls add(methods, pattern, name) per route, as router::add takes an initializer_list. A
// catch-all "/*" is optional: with it no path is ever not found.
template <class Add>
void realistic_table(Add add, bool catch_all)
{
    const std::initializer_list<verb> resource = {
        verb::get, verb::head, verb::post, verb::put, verb::patch, verb::delete_};
    add({verb::get}, "/health", "health");
    add({verb::get}, "/metrics", "metrics");
    add({verb::get}, "/status", "status");
    add({verb::get, verb::post}, "/setup", "setup");
    add({verb::get}, "/usage-service/config", "config-get");
    add({verb::put}, "/usage-service/config", "config-put");
    add({verb::get}, "/usage-service/info", "info");
    add({verb::get}, "/models", "models");
    add({verb::get}, "/v1/models", "v1-models");
    add({verb::get}, "/v0/management/usage", "usage");
    add({verb::get}, "/v0/management/usage/export", "export");
    add({verb::post}, "/v0/management/usage/import", "import");
    add({verb::post}, "/v0/management/usage/import-sessions", "sessions");
    add({verb::get, verb::delete_}, "/v0/management/usage/import-sessions/{id}", "session");
    add({verb::put}, "/v0/management/usage/import-sessions/{id}/chunk", "chunk");
    add({verb::post}, "/v0/management/usage/import-sessions/{sid}/complete", "complete");
    add({}, "/v0/management/*", "proxy");
    add({verb::get}, "/v0/management/model-prices/*", "prices");
    add({verb::put}, "/v0/management/{section}", "section");
    add({verb::get}, "/v0/management/{section}/{key}", "section-key");
    add(resource, "/v0/resource/plugins", "plugins");
    add(resource, "/v0/resource/plugins/*", "plugins-tail");
    add({verb::get}, "/v0/{version}/usage", "versioned-usage");
    add({verb::get}, "/v0/{a}/{b}/*", "two-params-tail");
    add({verb::delete_}, "/v0/*", "v0-delete");
    if (catch_all)
        add({verb::post}, "/*", "catch-all-post");
    add({verb::get}, "/{x}", "root-param");
    add({verb::patch}, "/{y}", "root-param-patch");
    add({verb::get}, "/health", "health-duplicate");
    add({verb::get}, "/dup/{first}", "dup-first");
    add({verb::get}, "/dup/{second}", "dup-second");
    add({verb::get}, "/a//b", "empty-inside");
    add({verb::get}, "/trailing/", "trailing-slash");
    add({verb::head}, "/trailing/*", "trailing-tail");
    add({verb::get}, "/{}/*", "braces-literal");
    add({verb::get}, "/mid/*/star", "star-literal");
    // Any full-length match beats any tail, however many literals the tail has.
    add({}, "/v0/management/usage/import-sessions/*", "sessions-tail");
    add({verb::options}, "/{p}/{q}/{r}/{s}", "four-params");
}

std::string describe(router::outcome outcome, const std::string& name, const auto& params)
{
    std::string out = outcome == router::outcome::found       ? "found "
                      : outcome == router::outcome::not_found ? "not_found "
                                                              : "method_not_allowed ";
    out += name;
    for (const auto& [k, v] : params)
        out += " [" + k + "=" + v + "]";
    return out;
}

// Paths to try: segments drawn from the table's literals plus junk, at any depth, with and
// without a leading or trailing '/'. Half follow a pattern, swapping some segments, to go deep.
class path_generator
{
public:
    explicit path_generator(const std::vector<std::string>& patterns) : patterns_(patterns)
    {
        words_ = {"", "x", "abc123", "{id}", "{}", "*", "USAGE", "a.json", "..", "%2F"};
        for (const auto& p : patterns)
            for (const auto& seg : split(p))
            {
                add_word(seg);
                // Near misses: one byte longer or shorter, or another byte in the middle.
                add_word(seg + "x");
                if (!seg.empty())
                    add_word(seg.substr(0, seg.size() - 1));
                if (seg.size() > 2)
                    add_word(seg.substr(0, seg.size() / 2) + '~' + seg.substr(seg.size() / 2 + 1));
            }
    }

    const std::vector<std::string>& words() const { return words_; }

    std::string next()
    {
        std::vector<std::string> segs;
        if (chance(2))
        {
            for (auto seg : split(patterns_[pick(patterns_.size())]))
                segs.push_back(seg == "*" || seg.starts_with('{') || chance(8) ? word() : seg);
            for (auto extra = pick(3); extra > 0; --extra)
                segs.push_back(word());
        }
        else
            for (auto n = pick(7); n > 0; --n)
                segs.push_back(word());
        std::string path = chance(10) ? "" : "/";
        for (std::size_t i = 0; i < segs.size(); ++i)
            path += (i == 0 ? "" : "/") + segs[i];
        if (chance(6))
            path += "/";
        return path;
    }

private:
    static std::vector<std::string> split(std::string_view pattern)
    {
        std::vector<std::string> out;
        pattern.remove_prefix(1);
        for (std::size_t slash; (slash = pattern.find('/')) != std::string_view::npos;)
        {
            out.emplace_back(pattern.substr(0, slash));
            pattern.remove_prefix(slash + 1);
        }
        out.emplace_back(pattern);
        return out;
    }
    void add_word(const std::string& w)
    {
        if (std::find(words_.begin(), words_.end(), w) == words_.end())
            words_.push_back(w);
    }
    std::size_t pick(std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng_); }
    bool chance(std::size_t one_in) { return pick(one_in) == 0; }
    const std::string& word() { return words_[pick(words_.size())]; }

    std::vector<std::string> patterns_;
    std::vector<std::string> words_;
    std::mt19937 rng_{20240611}; // fixed: a failure reproduces
};

struct outcome_counts
{
    std::size_t found = 0, not_allowed = 0, not_found = 0;
};

// Registers the table in a router and in the reference, and compares their answers for every
// verb on many paths; returns how often the reference gave each outcome.
outcome_counts compare_with_reference(bool catch_all)
{
    router r;
    std::vector<linear_router::spec> specs;
    std::vector<std::string> patterns;
    realistic_table(
        [&](std::initializer_list<verb> methods, std::string pattern, std::string name)
        {
            r.add(methods, pattern, named(name), {.name = name});
            specs.push_back({methods, pattern, name});
            patterns.push_back(pattern);
        },
        catch_all
    );
    const linear_router reference(specs);
    path_generator generate(patterns);

    // Every one- and two-segment path over the vocabulary, then random deeper ones.
    std::vector<std::string> paths = {"", "/", "//", "///"};
    for (const auto& a : generate.words())
    {
        paths.push_back("/" + a);
        for (const auto& b : generate.words())
            paths.push_back("/" + a + "/" + b);
    }
    for (int i = 0; i < 30000; ++i)
        paths.push_back(generate.next());

    outcome_counts counts;
    int mismatches = 0;
    for (const auto& path : paths)
        for (auto method :
             {verb::get, verb::head, verb::post, verb::put, verb::patch, verb::delete_, verb::options})
        {
            auto want = reference.find(method, path);
            auto got = r.find(method, path);
            counts.found += want.outcome == router::outcome::found;
            counts.not_allowed += want.outcome == router::outcome::method_not_allowed;
            counts.not_found += want.outcome == router::outcome::not_found;
            auto got_text = describe(got.result, got.target ? got.target->options.name : "", got.params);
            auto want_text = describe(want.outcome, want.name, want.params);
            if (got_text == want_text)
                continue;
            INFO("path '" << path << "', method " << cpamd::http::bhttp::to_string(method));
            CHECK(got_text == want_text);
            if (++mismatches == 20)
                FAIL("too many mismatches");
        }
    return counts;
}

} // namespace

TEST_CASE("find agrees with the linear reference on generated paths", "[router]")
{
    // Every outcome must come up often, or the comparison proves little.
    auto counts = compare_with_reference(false);
    CHECK(counts.found > 20000);
    CHECK(counts.not_allowed > 20000);
    CHECK(counts.not_found > 20000);
}

TEST_CASE("find agrees with the linear reference under a catch-all tail route", "[router]")
{
    // "/*" matches every path: nothing is not found, and its one method competes everywhere.
    auto counts = compare_with_reference(true);
    CHECK(counts.not_found == 0);
    CHECK(counts.found > 20000);
    CHECK(counts.not_allowed > 20000);
}
