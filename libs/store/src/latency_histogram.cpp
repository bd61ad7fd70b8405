#include <cmath>
#include <cpamd/store/latency_histogram.hpp>

namespace cpamd::store
{
namespace
{

constexpr double growth = 1.04; // bucket k covers [growth^(k-1), growth^k) ms for k >= 1
const double log_growth = std::log(growth);

void put_varint(std::string& out, std::uint64_t v)
{
    while (v >= 0x80)
    {
        out.push_back(static_cast<char>((v & 0x7F) | 0x80));
        v >>= 7;
    }
    out.push_back(static_cast<char>(v));
}

bool get_varint(std::string_view& in, std::uint64_t& v)
{
    v = 0;
    for (int shift = 0; shift < 64; shift += 7)
    {
        if (in.empty())
            return false;
        auto b = static_cast<unsigned char>(in.front());
        in.remove_prefix(1);
        v |= static_cast<std::uint64_t>(b & 0x7F) << shift;
        if (!(b & 0x80))
            return true;
    }
    return false;
}

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

std::optional<double> latency_histogram::quantile(double q) const
{
    auto n = total();
    if (n == 0)
        return std::nullopt;
    // Nearest-rank: the smallest value with at least ceil(q * n) values at or below it.
    auto rank = static_cast<std::uint64_t>(std::ceil(q * static_cast<double>(n)));
    if (rank == 0)
        rank = 1;
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
        put_varint(out, static_cast<std::uint64_t>(b - prev));
        put_varint(out, c);
        prev = b;
    }
    return out;
}

bool latency_histogram::decode(std::string_view in)
{
    counts_.clear();
    std::uint64_t bucket = 0;
    while (!in.empty())
    {
        std::uint64_t delta = 0, count = 0;
        if (!get_varint(in, delta) || !get_varint(in, count) || bucket + delta > 100000)
        {
            counts_.clear();
            return false;
        }
        bucket += delta;
        counts_[static_cast<int>(bucket)] += count;
    }
    return true;
}

} // namespace cpamd::store
