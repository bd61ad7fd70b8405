#include <catch2/catch.hpp>
#include <cpamd/security/secret.hpp>
#include <fmt/format.h>
#include <sstream>

using namespace cpamd::security;

TEST_CASE("secret values never print", "[security][secret]")
{
    const secret_string s("cpamp_topsecretvalue");
    const unsigned char raw[] = {1, 2, 3};
    const secret_bytes b(raw);
    CHECK(fmt::format("{}", s) == "[redacted]");
    CHECK(fmt::format("{}", b) == "[redacted]");
    CHECK(fmt::format("key={:>12}", s).find("topsecret") == std::string::npos);
    std::ostringstream os;
    os << s << ' ' << b;
    CHECK(os.str() == "[redacted] [redacted]");
}

TEST_CASE("secret_string keeps, copies, moves and wipes its value", "[security][secret]")
{
    secret_string a("short");
    secret_string copy = a;
    CHECK(copy.view() == "short");
    secret_string moved = std::move(a);
    CHECK(moved.view() == "short");
    CHECK(a.empty()); // NOLINT(bugprone-use-after-move): the wipe is the behaviour under test
    secret_string long_one(std::string(100, 'x'));
    CHECK(long_one.size() == 100);
    long_one.wipe();
    CHECK(long_one.empty());
    std::string src = "from a std::string";
    secret_string taken(std::move(src));
    CHECK(taken.view() == "from a std::string");
    CHECK(src.empty()); // NOLINT(bugprone-use-after-move)
}

TEST_CASE("secret_bytes wipes and compares in constant time", "[security][secret]")
{
    const unsigned char raw[] = {1, 2, 3, 4};
    secret_bytes a(raw);
    secret_bytes b(raw);
    CHECK(a == b);
    b.mutable_bytes()[3] = 5;
    CHECK_FALSE(a == b);
    secret_bytes c = std::move(a);
    CHECK(c.size() == 4);
    CHECK(a.empty()); // NOLINT(bugprone-use-after-move)
    c.wipe();
    CHECK(c.empty());
}

TEST_CASE("constant_time_equal", "[security][secret]")
{
    CHECK(constant_time_equal(std::string_view("abc"), std::string_view("abc")));
    CHECK_FALSE(constant_time_equal(std::string_view("abc"), std::string_view("abd")));
    CHECK_FALSE(constant_time_equal(std::string_view("abc"), std::string_view("abcd")));
    CHECK(constant_time_equal(std::string_view(), std::string_view()));
}
