#pragma once

// Writes the Prometheus text exposition format (version 0.0.4): per family one # HELP and one
// # TYPE line, then its samples. Label values and help texts are escaped as the format requires.

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace cpamd::ops
{

struct label
{
    std::string_view name;
    std::string_view value;
};

// A histogram's buckets as counted (not cumulative): counts.size() == bounds.size() + 1, the
// last bucket holding what is above every bound.
struct histogram_data
{
    std::vector<double> bounds;
    std::vector<std::uint64_t> counts;
    double sum = 0;
};

class prometheus_text
{
public:
    static constexpr std::string_view content_type = "text/plain; version=0.0.4; charset=utf-8";

    // Starts a family; `type` is counter, gauge or histogram. Call once per name, before its samples.
    void family(std::string_view name, std::string_view type, std::string_view help);

    void sample(std::string_view name, std::initializer_list<label> labels, double value);
    void sample(std::string_view name, std::span<const label> labels, double value);
    void sample(std::string_view name, double value) { sample(name, std::span<const label>{}, value); }

    // The _bucket (cumulative, with le), _sum and _count lines of one histogram series.
    void histogram(std::string_view name, std::span<const label> labels, const histogram_data& h);

    const std::string& text() const { return out_; }
    std::string take() { return std::move(out_); }

private:
    std::string out_;
};

// The number as the format writes it: shortest round-trip decimal, +Inf, -Inf or NaN.
std::string format_value(double v);

} // namespace cpamd::ops
