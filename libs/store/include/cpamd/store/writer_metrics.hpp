#pragma once

// Batch sizes and commit times of the single writer, as fixed-bucket histograms for /metrics.
// The writer thread records; any thread reads. Relaxed atomics: a scrape may see a batch in the
// count a moment before its bucket, which Prometheus tolerates. One per process, like the writer.

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace cpamd::store
{

class writer_metrics
{
public:
    // Events per transaction (the writer caps a batch at writer_options::max_batch).
    static constexpr std::array<double, 10> size_bounds{1, 5, 10, 50, 100, 250, 500, 1000, 2000, 4096};
    // Seconds per transaction, including the COMMIT.
    static constexpr std::array<double, 12> seconds_bounds{
        0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};

    struct histogram
    {
        std::vector<double> bounds;
        std::vector<std::uint64_t> counts; // per bucket; the last one is above every bound
        double sum = 0;
    };

    static writer_metrics& process()
    {
        static writer_metrics instance;
        return instance;
    }

    // Writer thread: one finished transaction of `events` events that took `micros`.
    void record(std::size_t events, std::uint64_t micros)
    {
        sizes_[bucket(size_bounds, static_cast<double>(events))].fetch_add(1, std::memory_order_relaxed);
        times_[bucket(seconds_bounds, static_cast<double>(micros) / 1e6)].fetch_add(
            1, std::memory_order_relaxed
        );
        events_sum_.fetch_add(events, std::memory_order_relaxed);
        micros_sum_.fetch_add(micros, std::memory_order_relaxed);
    }

    histogram batch_sizes() const
    {
        return read(size_bounds, sizes_, static_cast<double>(events_sum_.load(std::memory_order_relaxed)));
    }
    histogram batch_seconds() const
    {
        return read(
            seconds_bounds, times_, static_cast<double>(micros_sum_.load(std::memory_order_relaxed)) / 1e6
        );
    }

private:
    template <std::size_t N>
    static std::size_t bucket(const std::array<double, N>& bounds, double v)
    {
        std::size_t i = 0;
        while (i < N && v > bounds[i])
            ++i;
        return i;
    }
    template <std::size_t N>
    static histogram read(
        const std::array<double, N>& bounds,
        const std::array<std::atomic<std::uint64_t>, N + 1>& counts,
        double sum
    )
    {
        histogram h{{bounds.begin(), bounds.end()}, {}, sum};
        for (const auto& c : counts)
            h.counts.push_back(c.load(std::memory_order_relaxed));
        return h;
    }

    std::array<std::atomic<std::uint64_t>, size_bounds.size() + 1> sizes_{};
    std::array<std::atomic<std::uint64_t>, seconds_bounds.size() + 1> times_{};
    std::atomic<std::uint64_t> events_sum_{0};
    std::atomic<std::uint64_t> micros_sum_{0};
};

} // namespace cpamd::store
