#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cpamd/collector/ingest.hpp>
#include <cpamd/core/hex.hpp>
#include <cpamd/core/log.hpp>
#include <cpamd/usage/parse_record.hpp>
#include <cstdlib>

namespace cpamd::collector
{
namespace
{

namespace asio = boost::asio;
using namespace std::chrono_literals;
constexpr auto use_nothrow = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t max_records_per_write = 4096;

constexpr std::string_view rejected_suffix = ":rejected";
constexpr std::string_view store_failed = "storing events failed: ";

struct parsed_batches
{
    std::vector<usage::event> events;
    std::vector<store::rejected_record> rejects;
    std::vector<std::uint64_t> ids;
    std::uint64_t bytes = 0;
};

std::uint64_t bytes_of(const spooled_batch& b)
{
    std::uint64_t n = 0;
    for (const auto& r : b.records)
        n += r.size();
    return n;
}

// 32 raw bytes from 64 hex digits; empty for anything else.
std::string raw_digest(std::string_view hex_digits)
{
    if (hex_digits.size() != 64)
        return {};
    std::string out(32, '\0');
    for (std::size_t i = 0; i < 32; ++i)
    {
        int hi = hex::digit_value(hex_digits[2 * i]), lo = hex::digit_value(hex_digits[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return {};
        out[i] = static_cast<char>(hi * 16 + lo);
    }
    return out;
}

// One unusable reply a transport kept as a reject: [reason, payload, original size, SHA-256 hex].
store::rejected_record unusable_reply(const spooled_batch& b)
{
    store::rejected_record r;
    r.origin = "collector:" + b.via.substr(0, b.via.size() - rejected_suffix.size());
    r.reason = b.records.empty() ? std::string("unusable reply") : b.records[0];
    if (b.records.size() > 1)
        r.payload = b.records[1];
    if (b.records.size() > 3)
    {
        r.original_bytes = std::strtoull(b.records[2].c_str(), nullptr, 10);
        r.original_sha256 = raw_digest(b.records[3]);
    }
    return r;
}

parsed_batches parse_batches(const std::deque<spooled_batch>& batches, std::size_t count)
{
    parsed_batches p;
    for (std::size_t i = 0; i < count; ++i)
    {
        const auto& b = batches[i];
        p.ids.push_back(b.id);
        p.bytes += bytes_of(b);
        if (b.via.ends_with(rejected_suffix))
        {
            p.rejects.push_back(unusable_reply(b));
            continue;
        }
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
    : strand_(asio::make_strand(ex)), spool_(sp), writer_(writer), status_(status), wake_(strand_),
      retry_(strand_)
{
    wake_.expires_at(asio::steady_timer::time_point::max());
}

void ingest::push(spooled_batch b)
{
    backlog_bytes_ += bytes_of(b);
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

void ingest::retry_now()
{
    asio::post(strand_, [this] { retry_.cancel(); });
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
                backlog_bytes_ -= parsed.bytes;
                status_.add_stored(r.counts.inserted, r.counts.duplicates, r.counts.rejected);
                status_.set_spool_depth(spool_.depth());
                if (backoff > 1s)
                    status_.clear_error(store_failed); // stored after all: the error is over
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
            status_.set_error(std::string(store_failed) + *r.error);
            retry_.expires_after(backoff);
            co_await retry_.async_wait(use_nothrow);
            backoff = std::min(backoff * 2, std::chrono::seconds(30));
        }
    }
}

} // namespace cpamd::collector
