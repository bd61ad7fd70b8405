#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cpamd/collector/sink.hpp>
#include <cpamd/core/log.hpp>

namespace cpamd::collector
{
namespace
{

namespace asio = boost::asio;

// Runs on the disk thread. `records` stays valid: the caller awaits this.
asio::awaitable<spooled_batch>
append_on_disk_thread(spool* sp, std::span<const std::string> records, std::string via)
{
    spooled_batch b;
    b.id = sp->append(records, via);
    b.via = std::move(via);
    b.records.assign(records.begin(), records.end());
    co_return b;
}

} // namespace

spool_sink::spool_sink(spool& sp, ingest& in, status_board& status) : spool_(sp), ingest_(in), status_(status)
{
}

spool_sink::~spool_sink()
{
    disk_.join();
}

asio::awaitable<void> spool_sink::deliver(std::span<const std::string> records, std::string_view via)
{
    if (records.empty())
        co_return;
    std::string v(via);
    try
    {
        auto b =
            co_await asio::co_spawn(disk_, append_on_disk_thread(&spool_, records, v), asio::use_awaitable);
        ingest_.push(std::move(b));
    }
    catch (const std::exception& e)
    {
        // The collector has popped these records; they are lost. Say so loudly and precisely.
        log::error("collector: could not spool {} records from {}: {}", records.size(), v, e.what());
        status_.set_error(std::string("spool: ") + e.what());
        throw;
    }
    status_.add_consumed(records.size());
    status_.set_spool_depth(spool_.depth());
}

void spool_sink::subscribed()
{
    if (on_subscribed_)
        on_subscribed_();
}

} // namespace cpamd::collector
