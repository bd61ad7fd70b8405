#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cpamd/collector/ingest.hpp>
#include <cpamd/core/log.hpp>
#include <cpamd/usage/parse_record.hpp>

namespace cpamd::collector
{
namespace
{

namespace asio = boost::asio;
using namespace std::chrono_literals;
constexpr auto use_nothrow = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t max_records_per_write = 4096;

struct parsed_batches
{
    std::vector<usage::event> events;
    std::vector<store::rejected_record> rejects;
    std::vector<std::uint64_t> ids;
};

parsed_batches parse_batches(const std::deque<spooled_batch>& batches, std::size_t count)
{
    parsed_batches p;
    for (std::size_t i = 0; i < count; ++i)
    {
        const auto& b = batches[i];
        p.ids.push_back(b.id);
        for (const auto& raw : b.records)
        {
            if (usage::is_control_payload(raw))
                continue;
            auto ev = usage::parse_record(raw);
            if (ev)
                p.events.push_back(std::move(*ev));
            else
                p.rejects.push_back({"collector:" + b.via, ev.error().message(), raw});
        }
    }
    return p;
}

} // namespace

ingest::ingest(asio::any_io_executor ex, spool& sp, store::event_writer& writer, status_board& status)
    : strand_(asio::make_strand(ex)), spool_(sp), writer_(writer), status_(status), wake_(strand_)
{
    wake_.expires_at(asio::steady_timer::time_point::max());
}

void ingest::push(spooled_batch b)
{
    {
        std::lock_guard lock(mutex_);
        pending_.push_back(std::move(b));
    }
    wake();
}

void ingest::request_stop()
{
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake();
}

void ingest::wake()
{
    asio::post(strand_, [this] { wake_.cancel(); });
}

std::size_t ingest::queued() const
{
    std::lock_guard lock(mutex_);
    return pending_.size();
}

asio::awaitable<void> ingest::run()
{
    co_await asio::co_spawn(strand_, consume(), asio::use_awaitable);
}

asio::awaitable<void> ingest::consume()
{
    auto backoff = 1s;
    for (;;)
    {
        std::deque<spooled_batch> work;
        {
            std::lock_guard lock(mutex_);
            if (pending_.empty() && stopping_)
                co_return;
            // Take whole batches up to a transaction's worth of records (at least one batch).
            std::size_t records = 0;
            while (!pending_.empty() &&
                   (work.empty() || records + pending_.front().records.size() <= max_records_per_write))
            {
                records += pending_.front().records.size();
                work.push_back(std::move(pending_.front()));
                pending_.pop_front();
            }
        }
        if (work.empty())
        {
            wake_.expires_at(asio::steady_timer::time_point::max());
            co_await wake_.async_wait(use_nothrow);
            continue;
        }

        auto parsed = parse_batches(work, work.size());
        for (;;)
        {
            auto events = parsed.events;
            auto rejects = parsed.rejects;
            auto r = co_await writer_.async_write(std::move(events), std::move(rejects), asio::use_awaitable);
            if (!r.error)
            {
                spool_.commit(parsed.ids);
                status_.add_stored(r.counts.inserted, r.counts.duplicates, r.counts.rejected);
                status_.set_spool_depth(spool_.depth());
                backoff = 1s;
                break;
            }
            // The batches stay in the spool and in memory: retry until the database takes them.
            log::error(
                "collector: storing {} events failed ({}); retrying in {}s",
                parsed.events.size(),
                *r.error,
                backoff.count()
            );
            status_.set_error("storing events failed: " + *r.error);
            asio::steady_timer t(strand_);
            t.expires_after(backoff);
            co_await t.async_wait(use_nothrow);
            backoff = std::min(backoff * 2, std::chrono::seconds(30));
        }
    }
}

} // namespace cpamd::collector
