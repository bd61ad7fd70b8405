#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cpamd/store/latency_histogram.hpp>
#include <random>

using cpamd::store::latency_histogram;

namespace
{

double exact_quantile(std::vector<std::int64_t> v, double q)
{
    std::sort(v.begin(), v.end());
    auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(v.size())));
    return static_cast<double>(v[std::max<std::size_t>(rank, 1) - 1]);
}

} // namespace

TEST_CASE("percentiles from the histogram are within 2 % of the exact values", "[store][histogram]")
{
    std::mt19937_64 rng(42);
    for (double sigma : {0.3, 1.0, 2.0})
    {
        CAPTURE(sigma);
        std::lognormal_distribution<double> dist(std::log(800.0), sigma);
        std::vector<std::int64_t> values;
        latency_histogram h;
        for (int i = 0; i < 20000; ++i)
        {
            auto ms = std::max<std::int64_t>(1, static_cast<std::int64_t>(dist(rng)));
            values.push_back(ms);
            h.add(ms);
        }
        for (double q : {0.5, 0.9, 0.95, 0.99})
        {
            CAPTURE(q);
            double exact = exact_quantile(values, q);
            double approx = *h.quantile(q);
            // Integer milliseconds: the bound is 2 % or half a millisecond, whichever is larger.
            CHECK(std::abs(approx - exact) <= std::max(0.02 * exact, 0.5));
        }
    }
}

TEST_CASE("histograms merge and round-trip through their encoding", "[store][histogram]")
{
    latency_histogram a, b;
    for (int i = 0; i < 1000; ++i)
    {
        a.add(i * 3);
        b.add(100000 + i);
    }
    latency_histogram decoded;
    REQUIRE(decoded.decode(a.encode()));
    CHECK(decoded.buckets() == a.buckets());
    a.merge(b);
    CHECK(a.total() == 2000);
    CHECK(a.encode().size() < 1000);
    CHECK_FALSE(latency_histogram{}.quantile(0.5));
}

TEST_CASE("a malformed encoding is refused, never trusted", "[store][histogram]")
{
    latency_histogram h;
    CHECK_FALSE(h.decode(std::string("\xff\xff\xff", 3)));
    CHECK(h.empty());
    CHECK_FALSE(h.decode(std::string("\xff\xff\xff\xff\xff\x01\x01", 7))); // bucket far out of range
    CHECK(h.decode(""));
    CHECK(h.empty());
}

TEST_CASE("histograms encoded from sorted buckets match encode()", "[store][histogram]")
{
    std::mt19937_64 rng(7);
    for (int round = 0; round < 200; ++round)
    {
        latency_histogram h;
        std::vector<int> buckets;
        for (int i = 0, n = static_cast<int>(rng() % 40); i < n; ++i)
        {
            auto ms = static_cast<std::int64_t>(rng() % 5 == 0 ? 0 : rng() % 100000);
            h.add(ms);
            buckets.push_back(latency_histogram::bucket_of(ms));
        }
        std::sort(buckets.begin(), buckets.end());
        std::string out = "prefix";
        latency_histogram::encode_sorted(buckets, out);
        CHECK(out == "prefix" + h.encode());
    }
}

TEST_CASE("merging encoded histograms gives the bytes of decode, merge, encode", "[store][histogram]")
{
    auto reference = [](std::string_view a, std::string_view b)
    {
        latency_histogram ha, hb;
        ha.decode(a);
        hb.decode(b);
        ha.merge(hb);
        return ha.encode();
    };
    std::mt19937_64 rng(11);
    auto random_histogram = [&]
    {
        latency_histogram h;
        for (int i = 0, n = static_cast<int>(rng() % 30); i < n; ++i)
            h.add(static_cast<std::int64_t>(rng() % 4 == 0 ? 0 : rng() % 50000), rng() % 3 == 0 ? rng() : 1);
        return h.encode();
    };
    std::string out;
    for (int round = 0; round < 500; ++round)
    {
        auto a = random_histogram(), b = random_histogram();
        REQUIRE(latency_histogram::merge_encoded(a, b, out));
        CHECK(out == reference(a, b));
    }
    // Malformed bytes, repeated or descending buckets and buckets out of range are left to the
    // caller.
    for (std::string odd : {
             std::string("\xff\xff\xff", 3),
             std::string("\x05\x01\x00\x02", 4),
             std::string("\xff\xff\xff\xff\xff\x01\x01", 7),
             std::string("\x05", 1),
         })
    {
        CHECK_FALSE(latency_histogram::merge_encoded(odd, random_histogram(), out));
        CHECK_FALSE(latency_histogram::merge_encoded(random_histogram(), odd, out));
    }
    // Random bytes (non-minimal varints included): whenever the fast path accepts them, it
    // agrees with the reference.
    for (int round = 0; round < 5000; ++round)
    {
        std::string a = random_histogram(), b;
        for (int i = 0, n = static_cast<int>(rng() % 8); i < n; ++i)
            b.push_back(static_cast<char>(rng() % 4 == 0 ? rng() : rng() % 4));
        if (latency_histogram::merge_encoded(a, b, out))
            CHECK(out == reference(a, b));
    }
}
