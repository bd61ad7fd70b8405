#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cpamd/collector/supervisor.hpp>
#include <cpamd/core/log.hpp>
#include <random>

namespace cpamd::collector
{

namespace asio = boost::asio;
namespace capi = collector_api;
using capi::outcome;
using capi::outcome_code;
using namespace std::chrono_literals;

namespace
{

constexpr auto use_nothrow = asio::as_tuple(asio::use_awaitable);
constexpr auto max_backoff = std::chrono::milliseconds(30s);
constexpr auto no_transport_retry = std::chrono::milliseconds(30s);
constexpr auto unsupported_subscribe_retry = std::chrono::minutes(10);
constexpr auto short_subscription = 5s;
constexpr auto watch_interval = std::chrono::milliseconds(500); // intake checks while subscribed
constexpr auto disk_recheck = std::chrono::milliseconds(1s);
constexpr auto backlog_recheck = std::chrono::milliseconds(50);
constexpr std::string_view spool_error_prefix = "spool: ";
constexpr std::string_view rejected_suffix = ":rejected";

std::string_view code_name(outcome_code c)
{
    switch (c)
    {
    case outcome_code::ok:
        return "ok";
    case outcome_code::empty:
        return "empty";
    case outcome_code::unsupported:
        return "unsupported";
    case outcome_code::auth_failed:
        return "auth_failed";
    case outcome_code::io_error:
        return "io_error";
    case outcome_code::lost:
        return "lost";
    case outcome_code::cancelled:
        return "cancelled";
    }
    return "?";
}

} // namespace

std::string mode_name(collector_mode m)
{
    return std::string(to_string(m));
}

// What collectors see as their sink: deliveries go to the spool, subscribed() reaches this run.
class supervisor::forwarding_sink final : public capi::IEventSink
{
public:
    forwarding_sink(supervisor& owner, spool_sink& target) : owner_(owner), target_(target) {}

    asio::awaitable<void> deliver(std::span<const std::string> records, std::string_view via) override
    {
        co_await target_.deliver(records, via);
        if (!via.ends_with(rejected_suffix)) // an unusable reply kept as a reject carried no records
            owner_.status_.set_transport(std::string(via));
    }

    void subscribed() override
    {
        supervisor* s = &owner_;
        asio::post(
            s->strand_,
            [s]
            {
                s->subscribed_ = true;
                s->signal();
            }
        );
    }

private:
    supervisor& owner_;
    spool_sink& target_;
};

struct supervisor::handle
{
    const capi::collector_descriptor* descriptor;
    capi::ICollector* collector;
    handle(const capi::collector_descriptor* d, capi::ICollector* c) : descriptor(d), collector(c) {}
    handle(const handle&) = delete;
    handle& operator=(const handle&) = delete;
    ~handle()
    {
        collector->close();             // nothing is in flight any more; lets the plugin release its I/O
        descriptor->destroy(collector); // the plugin's own delete, never ours
    }
};

supervisor::supervisor(
    asio::any_io_executor ex,
    run_settings settings,
    const std::vector<loaded_plugin>& plugins,
    spool_sink& sink,
    status_board& status,
    intake_gate& gate
)
    : executor_(ex), strand_(asio::make_strand(ex)), settings_(std::move(settings)), status_(status),
      gate_(gate), sink_(std::make_unique<forwarding_sink>(*this, sink)), sleep_(strand_), wake_(strand_)
{
    api_settings_.base_url = settings_.base_url;
    api_settings_.management_key = settings_.management_key;
    api_settings_.queue = settings_.queue;
    api_settings_.pop_left = settings_.pop_left;
    api_settings_.tls_skip_verify = settings_.tls_skip_verify;

    // Every mode pops: subscribe mode drains what was queued before each subscription.
    const bool want_pop = true;
    const bool want_subscribe =
        settings_.mode == collector_mode::subscribe || settings_.mode == collector_mode::automatic;
    for (const auto& p : plugins)
    {
        const bool wanted = p.name == "subscribe" ? want_subscribe : want_pop;
        if (!wanted || (p.name != "http" && p.name != "resp" && p.name != "subscribe"))
            continue;
        capi::collector_context ctx;
        ctx.executor = ex; // the daemon's io_context: plugin I/O runs there
        ctx.settings = &api_settings_;
        ctx.sink = sink_.get();
        auto* c = p.descriptor->create(ctx);
        if (!c)
        {
            log::error("collector plugin {} could not create a collector", p.file.string());
            continue;
        }
        collectors_.push_back(std::make_unique<handle>(p.descriptor, c));
        (p.name == "http" ? http_ : p.name == "resp" ? resp_ : subscribe_) = c;
    }
    wake_.expires_at(asio::steady_timer::time_point::max());
}

supervisor::~supervisor() = default;

void supervisor::signal()
{
    wake_.cancel();
}

void supervisor::stop()
{
    asio::post(
        strand_,
        [this]
        {
            stopping_ = true;
            // A pop in flight is not aborted: CPA has popped its records already, so it is let
            // finish (bounded by the request timeout) and its batch is spooled. Subscriptions
            // end at once.
            if (subscribe_)
                subscribe_->close();
            sleep_.cancel();
            signal();
        }
    );
}

asio::awaitable<void> supervisor::run()
{
    co_await asio::co_spawn(strand_, main_loop(), asio::use_awaitable);
}

asio::awaitable<void> supervisor::sleep(std::chrono::milliseconds d)
{
    if (stopping_)
        co_return;
    sleep_.expires_after(d);
    co_await sleep_.async_wait(use_nothrow);
}

asio::awaitable<void> supervisor::wait_for_signal()
{
    wake_.expires_at(asio::steady_timer::time_point::max());
    co_await wake_.async_wait(use_nothrow);
}

asio::awaitable<void> supervisor::wait_for_signal(std::chrono::milliseconds limit)
{
    wake_.expires_after(limit);
    co_await wake_.async_wait(use_nothrow);
}

void supervisor::note_disk(const std::string& why)
{
    status_.set_error(std::string(spool_error_prefix) + why);
    status_.set_state("error");
    status_.set_connected("");
    if (!disk_blocked_)
        log::error("collector: {}", why);
    disk_blocked_ = true;
}

asio::awaitable<bool> supervisor::wait_for_intake()
{
    for (;;)
    {
        if (stopping_)
            co_return false;
        std::string why;
        auto st = gate_.for_pop(why);
        if (st == intake_state::open)
        {
            if (disk_blocked_)
            {
                disk_blocked_ = false;
                status_.clear_error(spool_error_prefix);
                log::info("collector: the spool can be written again; resuming");
            }
            co_return true;
        }
        if (st == intake_state::disk)
        {
            note_disk(why);
            // A subscription pushes whatever CPA has: it must end too.
            if (!subscription_done_)
                co_await end_subscription(why);
        }
        co_await sleep(st == intake_state::disk ? disk_recheck : backlog_recheck);
    }
}

void supervisor::renew_subscriber()
{
    // close() is final for a collector: a fresh one takes the next subscription.
    for (auto& h : collectors_)
    {
        if (h->collector != subscribe_)
            continue;
        capi::collector_context ctx;
        ctx.executor = executor_;
        ctx.settings = &api_settings_;
        ctx.sink = sink_.get();
        auto* fresh = h->descriptor->create(ctx);
        if (!fresh)
        {
            log::error("collector: the subscribe plugin could not create a new collector");
            subscribe_ = nullptr;
            collectors_.erase(std::find(collectors_.begin(), collectors_.end(), h));
            return;
        }
        h = std::make_unique<handle>(h->descriptor, fresh);
        subscribe_ = fresh;
        return;
    }
}

asio::awaitable<void> supervisor::end_subscription(const std::string& why)
{
    if (subscription_done_ || !subscribe_)
        co_return;
    log::warn("collector: ending the subscription: {}", why);
    unsubscribed_ = true;
    subscribe_->close(); // what it already received is delivered first
    while (!subscription_done_)
        co_await wait_for_signal();
    status_.set_connected("");
    if (!stopping_)
        renew_subscriber();
}

asio::awaitable<void> supervisor::watch_subscription()
{
    while (!subscription_done_ && !stopping_)
    {
        co_await wait_for_signal(watch_interval);
        if (subscription_done_ || stopping_)
            co_return;
        std::string why;
        auto st = gate_.for_subscription(why);
        if (st != intake_state::open)
        {
            if (st == intake_state::disk)
                note_disk(why);
            co_await end_subscription(why);
            co_return;
        }
        // A failure is shown until a subscription has stayed up for a while: one that breaks at
        // once must not look healthy between two attempts.
        if (!subscribe_error_.empty() &&
            std::chrono::steady_clock::now() - subscribed_at_ >= short_subscription)
        {
            status_.clear_error(subscribe_error_);
            subscribe_error_.clear();
        }
    }
}

asio::awaitable<bool> supervisor::subscribe_and_drain()
{
    subscribed_ = false;
    subscription_done_ = false;
    unsubscribed_ = false;
    asio::co_spawn(strand_, subscription(subscribe_), asio::detached);
    while (!subscribed_ && !subscription_done_ && !stopping_)
        co_await wait_for_signal();
    if (stopping_)
        co_return false;
    if (!subscribed_)
        co_return true; // refused or failed before the confirmation: see subscription_result_

    subscribed_at_ = std::chrono::steady_clock::now();
    status_.set_state("running");
    status_.set_error(subscribe_error_);
    status_.set_connected("subscribe");
    log::info("collector: subscribed to {} at {}", settings_.queue, settings_.base_url);
    // What CPA queued before the subscription existed is still queued: pop it. This terminates
    // because CPA stops queueing while a subscriber exists.
    for (;;)
    {
        auto d = co_await drain(false);
        if (d != drain_end::failed || subscription_done_ || stopping_)
            break;
        co_await sleep(next_backoff());
    }
    if (stopping_)
        co_return false;
    status_.set_connected(subscription_done_ ? "" : "subscribe");
    co_await watch_subscription();
    co_return !stopping_;
}

std::chrono::milliseconds supervisor::next_backoff()
{
    static thread_local std::minstd_rand rng{std::random_device{}()};
    backoff_ = backoff_.count() == 0 ? std::chrono::milliseconds(1s) : std::min(backoff_ * 2, max_backoff);
    // +-20 % so many daemons behind one CPA do not retry in step.
    std::uniform_int_distribution<long> jitter(-backoff_.count() / 5, backoff_.count() / 5);
    return backoff_ + std::chrono::milliseconds(jitter(rng));
}

void supervisor::note_failure(const outcome& r, std::string_view transport)
{
    // Status first, then the log line: whoever sees the line may read /status right away.
    status_.set_error(fmt::format("{}: {}", transport, r.message));
    status_.set_state("error");
    status_.set_connected("");
    log::warn("collector: {} {}: {}", transport, code_name(r.code), r.message);
}

capi::ICollector* supervisor::pop_transport()
{
    capi::ICollector* order[2] = {http_, resp_};
    if (settings_.mode == collector_mode::resp)
        std::swap(order[0], order[1]);
    for (auto* c : order)
        if (c && !(c == http_ ? http_unsupported_ : resp_unsupported_))
            return c;
    return nullptr;
}

asio::awaitable<supervisor::drain_end> supervisor::drain(bool)
{
    const auto batch = static_cast<std::size_t>(std::max(1, settings_.batch_size));
    for (;;)
    {
        if (stopping_ || !co_await wait_for_intake())
            co_return drain_end::cancelled;
        auto* c = pop_transport();
        if (!c)
            co_return drain_end::none;
        outcome r;
        try
        {
            r = co_await c->pop(batch);
        }
        catch (const std::exception& e)
        {
            r = outcome{outcome_code::io_error, 0, e.what()};
        }
        if (stopping_ || r.code == outcome_code::cancelled)
            co_return drain_end::cancelled;
        switch (r.code)
        {
        case outcome_code::ok:
        case outcome_code::empty:
        {
            backoff_ = 0ms;
            status_.set_error(subscribe_error_); // a failing subscription stays visible while polling
            const bool was_running = status_.state() == "running";
            status_.set_state("running");
            if (!subscribed_ || subscription_done_)
                status_.set_connected(std::string(c->transport()));
            if (!was_running)
                log::info("collector: popping from {} ({})", settings_.base_url, c->transport());
            if (r.code == outcome_code::ok && r.delivered >= batch)
                continue; // a full batch: more is probably waiting
            co_return drain_end::empty;
        }
        case outcome_code::unsupported:
            log::warn(
                "collector: CPA does not offer the {} usage queue ({}); trying the other pop transport",
                c->transport(),
                r.message
            );
            (c == http_ ? http_unsupported_ : resp_unsupported_) = true;
            continue;
        default:
            note_failure(r, c->transport());
            co_return drain_end::failed;
        }
    }
}

asio::awaitable<void> supervisor::subscription(capi::ICollector* c)
{
    outcome r;
    try
    {
        r = co_await c->subscribe();
    }
    catch (const std::exception& e)
    {
        r = outcome{outcome_code::io_error, 0, e.what()};
    }
    subscription_result_ = std::move(r);
    subscription_done_ = true;
    status_.set_connected("");
    signal();
}

asio::awaitable<void> supervisor::poll_loop()
{
    for (;;)
    {
        auto e = co_await drain(false);
        if (e == drain_end::cancelled || stopping_)
            co_return;
        if (e == drain_end::failed)
            co_await sleep(next_backoff());
        else if (e == drain_end::none)
        {
            status_.set_state("error");
            status_.set_error("CPA offers no usage queue transport");
            log::error("collector: CPA offers neither the HTTP nor the RESP usage queue (CPA too old, or "
                       "management disabled?)");
            co_await sleep(no_transport_retry);
            http_unsupported_ = resp_unsupported_ = false; // CPA may have been upgraded meanwhile
        }
        else
            co_await sleep(std::chrono::milliseconds(settings_.poll_interval_ms));
    }
}

asio::awaitable<void> supervisor::subscribe_loop()
{
    for (;;)
    {
        if (!subscribe_)
        {
            status_.set_state("error");
            status_.set_error("no subscribe transport plugin is loaded");
            log::error("collector: mode subscribe needs the collector-subscribe plugin, which is not loaded");
            while (!stopping_)
                co_await wait_for_signal();
            co_return;
        }
        // A subscription pushes whatever CPA has: none while the spool cannot take it.
        if (!co_await wait_for_intake())
            co_return;
        auto started = std::chrono::steady_clock::now();
        if (!co_await subscribe_and_drain())
            co_return;
        if (unsubscribed_)
            continue; // ended on purpose: subscribe again once the gate opens
        const auto r = *subscription_result_;
        subscribe_error_ = fmt::format("subscribe: {}", r.message);
        if (r.code == outcome_code::unsupported)
        {
            note_failure(r, "subscribe");
            co_await sleep(no_transport_retry);
            continue;
        }
        if (subscribed_)
        {
            // The only transport is down: an error until the next subscription is confirmed.
            status_.set_error(subscribe_error_);
            status_.set_state("error");
            status_.set_connected("");
            status_.add_reconnect();
            log::warn("collector: subscription ended ({}: {}); resubscribing", code_name(r.code), r.message);
            if (std::chrono::steady_clock::now() - started > short_subscription)
                backoff_ = 0ms;
        }
        else
            note_failure(r, "subscribe");
        co_await sleep(next_backoff());
    }
}

asio::awaitable<void> supervisor::auto_loop()
{
    auto next_subscribe_at = std::chrono::steady_clock::now();
    for (;;)
    {
        // 1. Pop what is queued (the backlog, or what arrived while nobody was subscribed).
        auto e = co_await drain(false);
        if (e == drain_end::cancelled || stopping_)
            co_return;
        if (e == drain_end::failed)
        {
            co_await sleep(next_backoff());
            continue;
        }
        const bool can_subscribe = subscribe_ && std::chrono::steady_clock::now() >= next_subscribe_at;
        if (!can_subscribe)
        {
            if (e == drain_end::none && !subscribe_)
            {
                status_.set_state("error");
                status_.set_error("CPA offers no usage transport");
                co_await sleep(no_transport_retry);
                http_unsupported_ = resp_unsupported_ = false;
            }
            else
                co_await sleep(std::chrono::milliseconds(settings_.poll_interval_ms));
            continue;
        }

        // 2. Subscribe. While it is live CPA stops queueing, so the drain that follows the
        // confirmation (3.: events queued between the drain and the subscription) terminates.
        auto started = std::chrono::steady_clock::now();
        if (!co_await subscribe_and_drain())
            co_return;
        if (unsubscribed_)
            continue; // ended on purpose (the intake gate): pop once it opens again
        const auto& r = *subscription_result_;
        if (subscribed_)
        {
            // 4. Lost: pop at once (top of the loop), then resubscribe. Polling carries on, but the
            // failure stays visible until a subscription holds.
            status_.add_reconnect();
            subscribe_error_ = fmt::format("subscribe: {}; polling meanwhile", r.message);
            status_.set_error(subscribe_error_);
            log::warn(
                "collector: subscription ended ({}: {}); popping, then resubscribing",
                code_name(r.code),
                r.message
            );
            if (std::chrono::steady_clock::now() - started < short_subscription)
                next_subscribe_at = std::chrono::steady_clock::now() + next_backoff();
            else
                backoff_ = 0ms;
            continue;
        }

        if (r.code == outcome_code::unsupported)
        {
            log::warn("collector: CPA does not offer SUBSCRIBE ({}); polling the queue instead", r.message);
            next_subscribe_at = std::chrono::steady_clock::now() + unsupported_subscribe_retry;
            // Polling is the designed way with such a CPA: an earlier subscription failure is moot.
            status_.clear_error(subscribe_error_);
            subscribe_error_.clear();
        }
        else
        {
            log::warn("collector: subscribe {}: {}; polling meanwhile", code_name(r.code), r.message);
            subscribe_error_ = fmt::format("subscribe: {}; polling meanwhile", r.message);
            status_.set_error(subscribe_error_);
            next_subscribe_at = std::chrono::steady_clock::now() + next_backoff();
        }
    }
}

asio::awaitable<void> supervisor::main_loop()
{
    status_.set_state("starting");
    status_.set_run(settings_.base_url, mode_name(settings_.mode), settings_.queue);
    log::info("collector: starting, mode {}, upstream {}", mode_name(settings_.mode), settings_.base_url);
    switch (settings_.mode)
    {
    case collector_mode::http:
    case collector_mode::resp:
        co_await poll_loop();
        break;
    case collector_mode::subscribe:
        co_await subscribe_loop();
        break;
    case collector_mode::automatic:
        co_await auto_loop();
        break;
    }
    // A subscription still running was closed by stop(): wait for it to end.
    while (!subscription_done_)
        co_await wait_for_signal();
    status_.set_connected("");
    status_.set_state("stopped");
}

} // namespace cpamd::collector
