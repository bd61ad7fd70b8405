#include "plugin_host.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <dlfcn.h>
#include <stdexcept>

namespace cpamd::test
{

capi::collector_settings
local_settings(std::uint16_t port, const std::string& key, std::chrono::milliseconds timeout)
{
    capi::collector_settings s;
    s.base_url = "http://127.0.0.1:" + std::to_string(port);
    s.management_key = key;
    s.request_timeout = timeout;
    return s;
}

namespace asio = boost::asio;

const capi::collector_descriptor* load_plugin(const std::string& file)
{
    const std::string path = std::string(CPAMD_PLUGIN_DIR) + "/" + file;
    void* h = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!h)
        throw std::runtime_error(std::string("dlopen: ") + ::dlerror());
    void* sym = ::dlsym(h, capi::entry_point_name);
    if (!sym)
        throw std::runtime_error(std::string("dlsym: ") + ::dlerror());
    auto entry = reinterpret_cast<capi::entry_point_fn>(sym);
    const auto* d = entry();
    if (!d || d->abi_version != capi::collector_abi_version ||
        d->struct_size != sizeof(capi::collector_descriptor) || d->boost_version != BOOST_VERSION ||
        d->compiler != capi::this_compiler() || !d->create || !d->destroy || !d->name)
        throw std::runtime_error("descriptor mismatch in " + path);
    return d;
}

asio::awaitable<void> recording_sink::deliver(std::span<const std::string> records, std::string_view via)
{
    if (fail_)
        throw std::runtime_error("disk full (test)");
    std::chrono::milliseconds delay{0};
    {
        std::lock_guard lock(mutex_);
        records_.insert(records_.end(), records.begin(), records.end());
        if (batches_.size() < delays_.size())
            delay = delays_[batches_.size()];
        batches_.push_back(records.size());
        vias_.emplace_back(via);
    }
    if (delay.count() > 0)
    {
        asio::steady_timer t(co_await asio::this_coro::executor);
        t.expires_after(delay);
        co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
    }
}

void recording_sink::subscribed()
{
    ++subscribed_;
}

void recording_sink::set_delays(std::vector<std::chrono::milliseconds> delays)
{
    std::lock_guard lock(mutex_);
    delays_ = std::move(delays);
}

std::vector<std::string> recording_sink::records() const
{
    std::lock_guard lock(mutex_);
    return records_;
}

std::vector<std::size_t> recording_sink::batch_sizes() const
{
    std::lock_guard lock(mutex_);
    return batches_;
}

std::vector<std::string> recording_sink::vias() const
{
    std::lock_guard lock(mutex_);
    return vias_;
}

std::size_t recording_sink::record_count() const
{
    std::lock_guard lock(mutex_);
    return records_.size();
}

collector_harness::collector_harness(const capi::collector_descriptor* d, capi::collector_settings settings)
    : collector_harness(d->create, d->destroy, std::move(settings))
{
}

collector_harness::collector_harness(create_fn create, destroy_fn destroy, capi::collector_settings settings)
    : work_(ioc_.get_executor()), settings_(std::move(settings)), destroy_(std::move(destroy))
{
    capi::collector_context ctx;
    ctx.executor = ioc_.get_executor();
    ctx.settings = &settings_;
    ctx.sink = &sink_;
    collector_ = create(ctx);
    if (!collector_)
        throw std::runtime_error("create returned null");
    // Two threads, like the daemon: the plugin must not rely on a single-threaded io_context.
    thread_ = std::thread(
        [this]
        {
            std::thread second([this] { ioc_.run(); });
            ioc_.run();
            second.join();
        }
    );
}

collector_harness::~collector_harness()
{
    collector_->close();
    for (auto& f : pending_)
        f.wait_for(std::chrono::seconds(10));
    destroy_(collector_);
    work_.reset();
    ioc_.stop();
    thread_.join();
}

capi::outcome collector_harness::pop(std::size_t max)
{
    std::shared_future<capi::outcome> f = asio::co_spawn(ioc_, collector_->pop(max), asio::use_future);
    return wait(f, std::chrono::seconds(20));
}

std::shared_future<capi::outcome> collector_harness::start_subscribe()
{
    std::shared_future<capi::outcome> f = asio::co_spawn(ioc_, collector_->subscribe(), asio::use_future);
    pending_.push_back(f); // the destructor waits for it before destroying the collector
    return f;
}

capi::outcome
collector_harness::wait(const std::shared_future<capi::outcome>& f, std::chrono::milliseconds timeout)
{
    if (f.wait_for(timeout) != std::future_status::ready)
        throw std::runtime_error("collector call did not complete in time");
    return f.get();
}

std::string to_string(capi::outcome_code c)
{
    switch (c)
    {
    case capi::outcome_code::ok:
        return "ok";
    case capi::outcome_code::empty:
        return "empty";
    case capi::outcome_code::unsupported:
        return "unsupported";
    case capi::outcome_code::auth_failed:
        return "auth_failed";
    case capi::outcome_code::io_error:
        return "io_error";
    case capi::outcome_code::lost:
        return "lost";
    case capi::outcome_code::cancelled:
        return "cancelled";
    }
    return "?";
}

} // namespace cpamd::test
