#include <catch2/catch.hpp>
#include <cpamd/collector/spool.hpp>
#include <cpamd/test/temp_dir.hpp>
#include <fstream>

namespace
{

using cpamd::collector::spool;
namespace fs = std::filesystem;

std::vector<fs::path> segments(const fs::path& dir)
{
    std::vector<fs::path> out;
    for (const auto& e : fs::directory_iterator(dir))
        out.push_back(e.path());
    std::sort(out.begin(), out.end());
    return out;
}

std::uint64_t total_size(const fs::path& dir)
{
    std::uint64_t n = 0;
    for (const auto& p : segments(dir))
        n += fs::file_size(p);
    return n;
}

std::vector<std::string> batch(int i)
{
    return {"{\"n\":" + std::to_string(i) + "}", std::string(100 + i, 'x'), std::string()};
}

} // namespace

TEST_CASE("spool: batches survive a restart and come back in order")
{
    cpamd::test::temp_dir tmp;
    auto dir = tmp / "spool";
    {
        spool s(dir);
        CHECK(s.take_recovered().batches.empty());
        for (int i = 0; i < 3; ++i)
        {
            auto b = batch(i);
            s.append(b, "http");
        }
        CHECK(s.depth() == 3);
    }
    spool s(dir);
    auto r = s.take_recovered();
    REQUIRE(r.batches.size() == 3);
    CHECK(r.dropped_bytes == 0);
    for (int i = 0; i < 3; ++i)
    {
        CHECK(r.batches[i].via == "http");
        CHECK(r.batches[i].records == batch(i));
    }
    CHECK(s.depth() == 3);
}

TEST_CASE("spool: committed batches are trimmed and not replayed")
{
    cpamd::test::temp_dir tmp;
    auto dir = tmp / "spool";
    {
        spool s(dir);
        auto a = batch(1), b = batch(2);
        auto id1 = s.append(a, "http");
        auto id2 = s.append(b, "resp");
        std::vector<std::uint64_t> first{id1};
        s.commit(first);
        CHECK(s.depth() == 1);
        std::vector<std::uint64_t> second{id2};
        s.commit(second);
        CHECK(s.depth() == 0);
        CHECK(total_size(dir) == 0); // the active segment starts over once all of it is stored
    }
    spool s(dir);
    CHECK(s.take_recovered().batches.empty());
}

TEST_CASE("spool: recovered batches are trimmed after their commit; old segments go away")
{
    cpamd::test::temp_dir tmp;
    auto dir = tmp / "spool";
    {
        spool s(dir, 256); // tiny segments: every append rotates
        for (int i = 0; i < 4; ++i)
        {
            auto b = batch(i);
            s.append(b, "http");
        }
        CHECK(segments(dir).size() >= 4);
    }
    spool s(dir, 256);
    auto r = s.take_recovered();
    REQUIRE(r.batches.size() == 4);
    std::vector<std::uint64_t> ids;
    for (const auto& b : r.batches)
        ids.push_back(b.id);
    s.commit(ids);
    CHECK(s.depth() == 0);
    CHECK(segments(dir).size() == 1); // only the new, empty active segment
    CHECK(total_size(dir) == 0);
}

TEST_CASE("spool: a torn tail after a crash is detected, dropped and the good batches kept")
{
    cpamd::test::temp_dir tmp;
    auto dir = tmp / "spool";
    {
        spool s(dir);
        for (int i = 0; i < 3; ++i)
        {
            auto b = batch(i);
            s.append(b, "http");
        }
    }
    auto seg = segments(dir).back();
    auto full = fs::file_size(seg);

    SECTION("cut inside the last frame")
    {
        fs::resize_file(seg, full - 7);
    }
    SECTION("half a header appended")
    {
        std::ofstream(seg, std::ios::binary | std::ios::app) << "CPS1\x05";
    }
    SECTION("last frame's bytes flipped (CRC mismatch)")
    {
        std::fstream f(seg, std::ios::binary | std::ios::in | std::ios::out);
        f.seekp(static_cast<std::streamoff>(full - 3));
        f.put('#');
    }

    spool s(dir);
    auto r = s.take_recovered();
    CHECK(r.dropped_bytes > 0);
    REQUIRE(r.warnings.size() == 1);
    CHECK(r.warnings[0].find("torn") != std::string::npos);
    // The intact frames before the damage are all there.
    REQUIRE(r.batches.size() >= 2);
    CHECK(r.batches[0].records == batch(0));
    CHECK(r.batches[1].records == batch(1));
    // The file was cut at the last good frame: a second open finds no damage.
    auto more = batch(9);
    s.append(more, "http");
    spool again(dir);
    auto r2 = again.take_recovered();
    CHECK(r2.dropped_bytes == 0);
    CHECK(r2.batches.size() == r.batches.size() + 1);
    CHECK(r2.batches.back().records == more);
}

TEST_CASE("spool: crc32 matches the IEEE check value")
{
    CHECK(cpamd::collector::crc32("123456789") == 0xCBF43926u);
}
