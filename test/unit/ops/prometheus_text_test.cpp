#include <catch2/catch.hpp>
#include <cmath>
#include <cpamd/ops/prometheus_text.hpp>
#include <limits>

using cpamd::ops::format_value;
using cpamd::ops::histogram_data;
using cpamd::ops::label;
using cpamd::ops::prometheus_text;

TEST_CASE("a family has HELP and TYPE lines, then its samples", "[prometheus]")
{
    prometheus_text out;
    out.family("cpamd_things_total", "counter", "Things.");
    out.sample("cpamd_things_total", {{"kind", "a"}}, 3);
    out.sample("cpamd_things_total", 7);
    CHECK(
        out.text() == "# HELP cpamd_things_total Things.\n"
                      "# TYPE cpamd_things_total counter\n"
                      "cpamd_things_total{kind=\"a\"} 3\n"
                      "cpamd_things_total 7\n"
    );
}

TEST_CASE("label values and help texts are escaped", "[prometheus]")
{
    prometheus_text out;
    out.family("m", "gauge", "a \\ b\nc \"q\"");
    out.sample("m", {{"l", "x\"y\\z\nw"}}, 1);
    CHECK(out.text() == "# HELP m a \\\\ b\\nc \"q\"\n# TYPE m gauge\nm{l=\"x\\\"y\\\\z\\nw\"} 1\n");
}

TEST_CASE("values: whole numbers plainly, fractions shortest, special values by name", "[prometheus]")
{
    CHECK(format_value(0) == "0");
    CHECK(format_value(12345678901) == "12345678901");
    CHECK(format_value(0.25) == "0.25");
    CHECK(format_value(8.9e-05) == "8.9e-05");
    CHECK(format_value(std::numeric_limits<double>::infinity()) == "+Inf");
    CHECK(format_value(-std::numeric_limits<double>::infinity()) == "-Inf");
    CHECK(format_value(std::nan("")) == "NaN");
}

TEST_CASE("histogram buckets are cumulative and end with +Inf, _sum and _count", "[prometheus]")
{
    prometheus_text out;
    histogram_data h{{0.1, 1}, {2, 3, 4}, 12.5};
    const label l[] = {{"route", "/x"}};
    out.histogram("d", l, h);
    CHECK(
        out.text() == "d_bucket{route=\"/x\",le=\"0.1\"} 2\n"
                      "d_bucket{route=\"/x\",le=\"1\"} 5\n"
                      "d_bucket{route=\"/x\",le=\"+Inf\"} 9\n"
                      "d_sum{route=\"/x\"} 12.5\n"
                      "d_count{route=\"/x\"} 9\n"
    );
}
