#pragma once

// Latency histograms for rollups: log-spaced buckets 4 % wide, so any percentile read back from
// a bucket's geometric middle is within 2 % of the true value (docs/storage.md). Stored sparse
// as varint (bucket delta, count) pairs, typically a few dozen bytes per rollup row.

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace cpamd::store
{

class latency_histogram
{
public:
    static int bucket_of(std::int64_t ms);    // 0 holds 0 ms
    static double representative(int bucket); // the bucket's geometric middle, in ms

    void add(std::int64_t ms, std::uint64_t count = 1);
    void merge(const latency_histogram& other);
    std::uint64_t total() const;
    // The q-quantile (0..1) in ms, nullopt when empty.
    std::optional<double> quantile(double q) const;

    std::string encode() const;
    // Appends to `out` the encoding of the histogram that counts each element of `buckets`
    // (bucket_of() values in ascending order) once, without building that histogram: the same
    // bytes as encode() of it.
    static void encode_sorted(std::span<const int> buckets, std::string& out);
    // Returns false (and leaves *this empty) on malformed input.
    bool decode(std::string_view bytes);
    // Sets `out` to the encoding of decode(a) merged with decode(b), working on the bytes. Returns
    // false (out unspecified) unless both are in the form encode() writes (ascending buckets,
    // each once): the caller then decodes and merges.
    static bool merge_encoded(std::string_view a, std::string_view b, std::string& out);
    // The encoding of decode(a) merged with decode(b): merge_encoded() when it can, else decoded.
    static std::string merged(std::string_view a, std::string_view b);

    bool empty() const { return counts_.empty(); }
    const std::map<int, std::uint64_t>& buckets() const { return counts_; }

private:
    std::map<int, std::uint64_t> counts_;
};

// The same buckets in a flat array, grown to the largest bucket seen: for reads that sum the
// histograms of thousands of rollup rows (no map node per bucket). Quantiles follow the same
// nearest-rank rule as latency_histogram, so both give the same value for the same samples.
class dense_histogram
{
public:
    void add(std::int64_t ms) { add_bucket(latency_histogram::bucket_of(ms), 1); }
    // Adds an encoded latency_histogram; false (adding nothing more) when it is malformed.
    bool add_encoded(std::string_view bytes);
    std::optional<double> quantile(double q) const;
    std::uint64_t total() const { return total_; }

private:
    void add_bucket(std::size_t bucket, std::uint64_t count);

    std::vector<std::uint64_t> counts_;
    std::uint64_t total_ = 0;
};

} // namespace cpamd::store
