#include "varint.hpp"

#include <cmath>
#include <cpamd/store/latency_histogram.hpp>

namespace cpamd::store
{
namespace
{

constexpr double growth = 1.04; // bucket k covers [growth^(k-1), growth^k) ms for k >= 1
const double log_growth = std::log(growth);

constexpr std::uint64_t max_bucket = 100000; // decode() rejects larger buckets

// Reads an encoded histogram entry by entry, as long as it is in encode()'s form.
class canonical_reader
{
public:
    explicit canonical_reader(std::string_view in) : in_(in) {}

    // False at the end or on anything encode() would not write (then malformed() is true).
    bool next()
    {
        if (in_.empty())
            return false;
        std::uint64_t delta = 0;
        // Only the first entry may have delta 0 (bucket 0); later ones must move up.
        bool ok = varint::get(in_, delta) && varint::get(in_, count) && (delta > 0 || first_) &&
                  delta <= max_bucket - bucket;
        first_ = false;
        bucket += delta;
        malformed_ = !ok;
        return ok;
    }
    bool malformed() const { return malformed_; }

    std::uint64_t bucket = 0, count = 0;

private:
    std::string_view in_;
    bool first_ = true, malformed_ = false;
};

} // namespace

int latency_histogram::bucket_of(std::int64_t ms)
{
    if (ms <= 0)
        return 0;
    return 1 + static_cast<int>(std::floor(std::log(static_cast<double>(ms)) / log_growth));
}

double latency_histogram::representative(int bucket)
{
    if (bucket <= 0)
        return 0;
    double lo = std::pow(growth, bucket - 1), hi = lo * growth;
    return std::sqrt(lo * hi);
}

void latency_histogram::add(std::int64_t ms, std::uint64_t count)
{
    counts_[bucket_of(ms)] += count;
}

void latency_histogram::merge(const latency_histogram& other)
{
    for (const auto& [b, c] : other.counts_)
        counts_[b] += c;
}

std::uint64_t latency_histogram::total() const
{
    std::uint64_t t = 0;
    for (const auto& [b, c] : counts_)
        t += c;
    return t;
}

namespace
{

// Nearest rank: the rank of the q-quantile among n samples (at least 1).
std::uint64_t nearest_rank(double q, std::uint64_t n)
{
    auto rank = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(n)));
    return rank == 0 ? 1 : rank;
}

} // namespace

std::optional<double> latency_histogram::quantile(double q) const
{
    auto n = total();
    if (n == 0)
        return std::nullopt;
    // Nearest-rank: the smallest value with at least ceil(q * n) values at or below it.
    const auto rank = nearest_rank(q, n);
    std::uint64_t seen = 0;
    for (const auto& [b, c] : counts_)
    {
        seen += c;
        if (seen >= rank)
            return representative(b);
    }
    return representative(counts_.rbegin()->first);
}

std::string latency_histogram::encode() const
{
    std::string out;
    int prev = 0;
    for (const auto& [b, c] : counts_)
    {
        varint::put(out, static_cast<std::uint64_t>(b - prev));
        varint::put(out, c);
        prev = b;
    }
    return out;
}

void latency_histogram::encode_sorted(std::span<const int> buckets, std::string& out)
{
    int prev = 0;
    for (std::size_t i = 0; i < buckets.size();)
    {
        std::size_t run = 1;
        while (i + run < buckets.size() && buckets[i + run] == buckets[i])
            ++run;
        varint::put(out, static_cast<std::uint64_t>(buckets[i] - prev));
        varint::put(out, run);
        prev = buckets[i];
        i += run;
    }
}

bool latency_histogram::merge_encoded(std::string_view a, std::string_view b, std::string& out)
{
    out.clear();
    canonical_reader x(a), y(b);
    bool has_x = x.next(), has_y = y.next();
    std::uint64_t prev = 0;
    while (has_x || has_y)
    {
        bool take_x = has_x && (!has_y || x.bucket <= y.bucket);
        bool take_y = has_y && (!has_x || y.bucket <= x.bucket);
        std::uint64_t bucket = take_x ? x.bucket : y.bucket;
        varint::put(out, bucket - prev);
        varint::put(out, (take_x ? x.count : 0) + (take_y ? y.count : 0));
        prev = bucket;
        if (take_x)
            has_x = x.next();
        if (take_y)
            has_y = y.next();
    }
    return !x.malformed() && !y.malformed();
}

std::string latency_histogram::merged(std::string_view a, std::string_view b)
{
    std::string out;
    if (merge_encoded(a, b, out))
        return out;
    latency_histogram ha, hb;
    ha.decode(a);
    hb.decode(b);
    ha.merge(hb);
    return ha.encode();
}

bool latency_histogram::decode(std::string_view in)
{
    counts_.clear();
    std::uint64_t bucket = 0;
    while (!in.empty())
    {
        std::uint64_t delta = 0, count = 0;
        if (!varint::get(in, delta) || !varint::get(in, count) || bucket + delta > 100000)
        {
            counts_.clear();
            return false;
        }
        bucket += delta;
        counts_[static_cast<int>(bucket)] += count;
    }
    return true;
}

void dense_histogram::add_bucket(std::size_t bucket, std::uint64_t count)
{
    if (bucket >= counts_.size())
        counts_.resize(bucket + 1, 0);
    counts_[bucket] += count;
    total_ += count;
}

bool dense_histogram::add_encoded(std::string_view in)
{
    std::uint64_t bucket = 0;
    while (!in.empty())
    {
        std::uint64_t delta = 0, count = 0;
        if (!varint::get(in, delta) || !varint::get(in, count) || bucket + delta > max_bucket)
            return false;
        bucket += delta;
        add_bucket(static_cast<std::size_t>(bucket), count);
    }
    return true;
}

std::optional<double> dense_histogram::quantile(double q) const
{
    if (total_ == 0)
        return std::nullopt;
    const auto rank = nearest_rank(q, total_);
    std::uint64_t seen = 0;
    for (std::size_t b = 0; b < counts_.size(); ++b)
    {
        seen += counts_[b];
        if (counts_[b] > 0 && seen >= rank)
            return latency_histogram::representative(static_cast<int>(b));
    }
    return latency_histogram::representative(static_cast<int>(counts_.size() - 1));
}

} // namespace cpamd::store
