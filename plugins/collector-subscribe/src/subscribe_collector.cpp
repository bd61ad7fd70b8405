#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cpamd/collectors/resp_connection.hpp>
#include <cpamd/collectors/subscribe_collector.hpp>

namespace cpamd::collectors
{

namespace asio = boost::asio;
using collector_api::outcome;
using collector_api::outcome_code;

struct subscribe_state
{
    subscribe_state(
        const collector_api::collector_context& ctx, subscribe_options o, asio::any_io_executor ex
    )
        : settings(ctx.settings), sink(ctx.sink), options(o), conn(std::move(ex))
    {
    }

    const collector_api::collector_settings* settings;
    collector_api::IEventSink* sink;
    subscribe_options options;
    resp_connection conn;
    subscription* session = nullptr; // the live one, for close()
    bool busy = false;               // a subscription is running (the host must not overlap them)
};

namespace
{

asio::awaitable<outcome> run_subscribe(std::shared_ptr<subscribe_state> st)
{
    if (st->busy)
        co_return outcome{outcome_code::io_error, 0, "a subscription is already running"};
    st->busy = true;
    struct release
    {
        subscribe_state* s;
        ~release()
        {
            s->conn.close();
            s->busy = false;
        }
    } guard{st.get()};

    auto opened = co_await st->conn.open(st->settings);
    if (opened.code != outcome_code::ok)
        co_return opened;
    subscription session(st->conn, *st->settings, *st->sink, st->options, co_await asio::this_coro::executor);
    st->session = &session;
    struct forget
    {
        subscribe_state* s;
        ~forget() { s->session = nullptr; }
    } unset{st.get()};
    co_return co_await session.run();
}

} // namespace

subscribe_collector::subscribe_collector(
    const collector_api::collector_context& ctx, subscribe_options options
)
    : strand_(asio::make_strand(ctx.executor)),
      state_(std::make_shared<subscribe_state>(ctx, options, strand_))
{
}

subscribe_collector::~subscribe_collector() = default;

asio::awaitable<outcome> subscribe_collector::pop(std::size_t)
{
    co_return outcome{outcome_code::unsupported, 0, "the subscribe transport does not pop; use resp or http"};
}

asio::awaitable<outcome> subscribe_collector::subscribe()
{
    if (closed_)
        co_return outcome{outcome_code::cancelled, 0, "closed"};
    co_return co_await asio::co_spawn(strand_, run_subscribe(state_), asio::use_awaitable);
}

void subscribe_collector::close()
{
    closed_ = true;
    // An orderly UNSUBSCRIBE once subscribed, so what CPA still buffered for us is not lost.
    asio::post(
        strand_,
        [st = state_]
        {
            if (st->session)
                st->session->request_close();
            else
                st->conn.cancel();
        }
    );
}

} // namespace cpamd::collectors
