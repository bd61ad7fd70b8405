#include <catch2/catch.hpp>
#include <cpamd/core/log.hpp>

TEST_CASE("log levels parse case-insensitively", "[log]")
{
    cpamd::log::level l{};
    CHECK(cpamd::log::parse_level("DEBUG", l));
    CHECK(l == cpamd::log::level::debug);
    CHECK(cpamd::log::parse_level("Warning", l));
    CHECK(l == cpamd::log::level::warn);
    CHECK(cpamd::log::parse_level("error", l));
    CHECK(l == cpamd::log::level::error);
    CHECK_FALSE(cpamd::log::parse_level("verbose", l));
    CHECK(cpamd::log::level_name(cpamd::log::level::info) == "info");
}
