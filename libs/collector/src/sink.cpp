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

spool_sink::spool_sink(spool& sp, ingest& in, status_board& status, intake_gate* gate)
    : spool_(sp), ingest_(in), status_(status), gate_(gate)
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
    // One unusable reply kept as a reject (ingest.hpp), not records.
    const bool unusable = via.ends_with(":rejected");
    std::string v(via);
    try
    {
        auto b =
            co_await asio::co_spawn(disk_, append_on_disk_thread(&spool_, records, v), asio::use_awaitable);
        ingest_.push(std::move(b));
    }
    catch (const std::exception& e)
    {
        // The collector has taken these records from CPA; they are lost. Say so loudly and
        // precisely, and take nothing more until the spool can be written again.
        const auto lost = unusable ? 0 : records.size();
        log::error("collector: could not spool {} records from {}; they are lost: {}", lost, v, e.what());
        if (gate_)
            gate_->spool_failed(e.what());
        status_.add_lost(lost);
        status_.set_error(fmt::format("spool: {}; {} records taken from CPA were lost", e.what(), lost));
        throw;
    }
    if (unusable)
        status_.add_unusable();
    else
        status_.add_consumed(records.size());
    status_.set_spool_depth(spool_.depth());
}

void spool_sink::subscribed()
{
    if (on_subscribed_)
        on_subscribed_();
}

} // namespace cpamd::collector
