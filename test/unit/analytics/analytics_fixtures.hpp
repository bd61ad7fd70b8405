#pragma once

// What the analytics oracle tests share: the price table their costs are checked against, a
// way to run a write on the writer's thread and wait for it, and one to project every hour.

#include <catch2/catch.hpp>
#include <cpamd/pricing/price_record.hpp>
#include <cpamd/store/context_bands.hpp>
#include <cpamd/store/database.hpp>
#include <cpamd/store/event_writer.hpp>
#include <cpamd/store/projections.hpp>
#include <functional>
#include <future>
#include <optional>
#include <string>

namespace cpamd::test
{

// gpt-5.4, gpt-5.5, gemini-2.5-pro and claude-sonnet-4-5 (with a context tier above 200k);
// every other model has no row (its cost is 0).
inline pricing::price_records analytics_test_prices()
{
    auto record = [](double prompt, double completion)
    {
        pricing::price_record rec;
        rec.price.rates.prompt = {prompt, true};
        rec.price.rates.completion = {completion, true};
        rec.source = "manual";
        return rec;
    };
    pricing::price_records out;
    out["gpt-5.4"] = record(1.25, 10);
    out["gpt-5.5"] = record(2.5, 15);
    auto sonnet = record(3, 15);
    pricing::context_tier above200k{200'000, {}};
    above200k.rates.prompt = {6, true};
    sonnet.price.context_tiers.push_back(above200k);
    out["claude-sonnet-4-5"] = sonnet;
    out["gemini-2.5-pro"] = record(1.25, 10);
    return out;
}

// Runs `task` in one transaction on the writer's thread and waits for it.
inline void run_writer_task(store::event_writer& writer, std::function<void(store::connection&)> task)
{
    std::promise<void> done;
    writer.post_task(
        [&](store::connection& c)
        {
            store::transaction tx(c);
            task(c);
            tx.commit();
        },
        [&](std::optional<std::string> error)
        {
            if (error)
                FAIL("writer task: " << *error);
            done.set_value();
        }
    );
    done.get_future().wait();
}

// Projects every stored hour and day now (the writer would do it in the background).
// Projects every queued hour before `now_hour` (and day before its day), as the writer does when
// `now_hour` is the current hour: the hours of its day and the day before get identity rows.
inline void project_hours_before(store::event_writer& writer, std::int64_t now_hour)
{
    run_writer_task(
        writer,
        [&](store::connection& c)
        {
            const auto thresholds = store::read_context_band_state(c).thresholds;
            while (store::project_step(c, now_hour, thresholds, 100'000))
            {
            }
        }
    );
}

inline void project_every_hour(store::event_writer& writer)
{
    constexpr std::int64_t far_future_hour = 1'000'000'000; // every stored hour has ended
    project_hours_before(writer, far_future_hour);
    auto reader = store::open_reader(writer.path());
    REQUIRE(store::queued_projection_hours(reader) == 0);
    REQUIRE_FALSE(store::projected_hours(reader, 0, far_future_hour).empty());
}

} // namespace cpamd::test
