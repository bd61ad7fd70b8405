#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cpamd/collector/service.hpp>
#include <cpamd/core/log.hpp>

namespace cpamd::collector
{

namespace asio = boost::asio;

namespace
{

constexpr auto use_nothrow = asio::as_tuple(asio::use_awaitable);

} // namespace

collector_service::collector_service(service_options o)
    : options_(std::move(o)), strand_(asio::make_strand(options_.executor)),
      spool_(options_.data_dir / "spool"), ingest_(options_.executor, spool_, *options_.writer, status_),
      gate_(
          spool_.dir(), [this] { return ingest_.backlog_bytes(); }, options_.limits
      ),
      sink_(spool_, ingest_, status_, &gate_), wake_(strand_)
{
    // Batches that failed to commit for lack of space are retried as soon as there is some again.
    gate_.on_disk_back([this] { ingest_.retry_now(); });
    auto recovered = spool_.take_recovered();
    for (const auto& w : recovered.warnings)
        log::warn("{}", w);
    if (!recovered.batches.empty())
    {
        std::size_t records = 0;
        for (const auto& b : recovered.batches)
            records += b.records.size();
        log::info(
            "collector: replaying {} spooled batch(es), {} record(s), from {}",
            recovered.batches.size(),
            records,
            spool_.dir().string()
        );
    }
    for (auto& b : recovered.batches)
        ingest_.push(std::move(b));
    status_.set_spool_depth(spool_.depth());
    plugins_ = load_plugins(plugin_directory(options_.plugin_dir));
}

collector_service::~collector_service() = default;

void collector_service::start()
{
    ingest_done_ = false;
    asio::co_spawn(
        options_.executor,
        ingest_.run(),
        [this](std::exception_ptr e)
        {
            if (e)
                log::error("collector: the ingest stopped unexpectedly");
            asio::post(
                strand_,
                [this]
                {
                    ingest_done_ = true;
                    wake_.cancel();
                }
            );
        }
    );
    restart();
}

void collector_service::restart()
{
    asio::co_spawn(strand_, restart_loop(), asio::detached);
}

asio::awaitable<void> collector_service::wait()
{
    wake_.expires_at(asio::steady_timer::time_point::max());
    co_await wake_.async_wait(use_nothrow);
}

asio::awaitable<void> collector_service::stop_current()
{
    if (current_)
        current_->stop();
    while (!run_done_)
        co_await wait();
    current_.reset();
}

asio::awaitable<void> collector_service::restart_loop()
{
    // Restarts are serialized: one asked for while another runs is folded into it.
    if (restarting_)
    {
        restart_again_ = true;
        co_return;
    }
    restarting_ = true;
    do
    {
        restart_again_ = false;
        co_await stop_current();
        if (stopped_)
            break;
        std::optional<run_settings> settings;
        try
        {
            settings = co_await options_.resolve();
        }
        catch (const std::exception& e)
        {
            log::error("collector: cannot read its settings: {}", e.what());
        }
        if (!settings)
        {
            status_.set_state("stopped");
            status_.set_connected("");
            log::info("collector: not started (no CPA connection, or collection disabled)");
            continue;
        }
        if (plugins_.empty())
        {
            status_.set_state("error");
            status_.set_error("no collector plugin is loaded");
            log::error("collector: no collector plugin is loaded; nothing collects usage");
            continue;
        }
        current_ = std::make_shared<supervisor>(
            options_.executor, std::move(*settings), plugins_, sink_, status_, gate_
        );
        run_done_ = false;
        auto run = current_;
        asio::co_spawn(
            options_.executor,
            run->run(),
            [this, run](std::exception_ptr e)
            {
                if (e)
                {
                    try
                    {
                        std::rethrow_exception(e);
                    }
                    catch (const std::exception& x)
                    {
                        log::error("collector: run ended with an error: {}", x.what());
                    }
                    status_.set_state("error");
                }
                asio::post(
                    strand_,
                    [this]
                    {
                        run_done_ = true;
                        wake_.cancel();
                    }
                );
            }
        );
    } while (restart_again_ && !stopped_);
    restarting_ = false;
}

asio::awaitable<void> collector_service::stop()
{
    co_await asio::co_spawn(
        strand_,
        [](collector_service* self) -> asio::awaitable<void>
        {
            self->stopped_ = true;
            co_await self->stop_current();
            self->ingest_.request_stop();
            while (!self->ingest_done_)
                co_await self->wait();
            self->status_.set_state("stopped");
        }(this),
        asio::use_awaitable
    );
}

boost::json::object collector_service::status() const
{
    auto o = status_.to_json();
    o["backlogBytes"] = ingest_.backlog_bytes();
    o["rejectsDropped"] = options_.writer->stats().rejects_dropped;
    return o;
}

} // namespace cpamd::collector
