#include <catch2/catch.hpp>
#include <cpamd/security/admin_key.hpp>
#include <map>
#include <set>

using namespace cpamd::security;

TEST_CASE("generated admin keys have the upstream format", "[security][admin_key]")
{
    for (int i = 0; i < 200; ++i)
    {
        const secret_string key = generate_admin_key();
        const std::string_view k = key.view();
        REQUIRE(k.size() == 6 + 32);
        REQUIRE(k.starts_with("cpamp_"));
        for (char c : k.substr(6))
            REQUIRE(((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')));
    }
}

TEST_CASE("generated admin keys are unique and use the whole alphabet evenly", "[security][admin_key]")
{
    std::set<std::string> keys;
    std::map<char, int> counts;
    constexpr int n = 2000;
    for (int i = 0; i < n; ++i)
    {
        const secret_string key = generate_admin_key();
        keys.emplace(key.view());
        for (char c : key.view().substr(6))
            ++counts[c];
    }
    CHECK(keys.size() == n);
    REQUIRE(counts.size() == 62);
    // 64000 draws over 62 symbols: ~1032 each. With modulo bias the first 8 symbols would get
    // ~1.25x; rejection sampling keeps every symbol within a loose band around the mean.
    for (auto [c, count] : counts)
    {
        INFO("symbol " << c);
        CHECK(count > 850);
        CHECK(count < 1220);
    }
}
