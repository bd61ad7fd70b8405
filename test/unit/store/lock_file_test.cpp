#include <catch2/catch.hpp>
#include <cpamd/store/lock_file.hpp>
#include <cpamd/test/temp_dir.hpp>

using cpamd::store::lock_file;

TEST_CASE("the lock is exclusive and released with its holder", "[store][lock]")
{
    cpamd::test::temp_dir dir;
    std::string why;
    auto db = dir / "usage.sqlite";
    {
        auto a = lock_file::acquire(db, why);
        REQUIRE(a);
        CHECK(a->path() == dir / "usage.sqlite.manager.lock");
        auto b = lock_file::acquire(db, why);
        CHECK_FALSE(b);
        CHECK(why.find("another cpamd process") != std::string::npos);
    }
    CHECK(lock_file::acquire(db, why));
}

TEST_CASE("an unusable lock path is a clear error", "[store][lock]")
{
    std::string why;
    CHECK_FALSE(lock_file::acquire("/nonexistent-dir/x/usage.sqlite", why));
    CHECK(why.find("cannot open lock file") != std::string::npos);
}
