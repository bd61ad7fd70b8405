// ascii::trim replaced three copies of an std::isspace loop: it must strip exactly what isspace
// does in the "C" locale, and nothing beyond ASCII (U+00A0 stays, unlike security::trim_space).

#include <catch2/catch.hpp>
#include <cctype>
#include <cpamd/core/ascii.hpp>
#include <string>

using cpamd::ascii::is_space;
using cpamd::ascii::trim;

TEST_CASE("ascii::is_space is std::isspace in the C locale", "[core][ascii]")
{
    for (int c = 0; c < 256; ++c)
    {
        INFO("byte " << c);
        CHECK(is_space(static_cast<char>(c)) == (std::isspace(c) != 0));
    }
}

TEST_CASE("ascii::trim strips both ends only", "[core][ascii]")
{
    static_assert(trim(" \t\n\v\f\rx y\r\n") == "x y");
    CHECK(trim("").empty());
    CHECK(trim(" \t ").empty());
    CHECK(trim("models.dev") == "models.dev");
    const std::string nbsp = "\xC2\xA0x\xC2\xA0";
    CHECK(trim(nbsp) == nbsp);
}
