#pragma once

// A bounded pool of read-only connections on their own threads. Queries are awaited, so a long
// query never stalls the io_context; WAL lets them run while the writer commits.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cpamd/store/sqlite.hpp>
#include <filesystem>
#include <memory>
#include <mutex>
#include <type_traits>
#include <vector>

namespace cpamd::store
{

class reader_pool
{
public:
    reader_pool(std::filesystem::path db_path, unsigned size);
    ~reader_pool();

    // A connection held for a sequence of calls (e.g. a streamed response reading one snapshot).
    class lease
    {
    public:
        lease(reader_pool& pool, std::unique_ptr<connection> c) : pool_(&pool), conn_(std::move(c)) {}
        lease(lease&&) = default;
        ~lease()
        {
            if (conn_)
                pool_->release(std::move(conn_));
        }
        connection& get() { return *conn_; }

    private:
        reader_pool* pool_;
        std::unique_ptr<connection> conn_;
    };

    // Runs f(connection&) on a pool thread with a free connection and returns its result to the
    // awaiting coroutine. Exceptions propagate to the awaiter. Capture by reference or plain
    // pointer: built with GCC 12, counters shared through shared_ptrs captured here (and taken by
    // value by the coroutine awaiting this) were freed while still owned, a crash at 10 M events
    // whose exact cause was not pinned down; plain pointers ended it (api/metrics_route.cpp).
    template <class F>
    auto run(F f) -> boost::asio::awaitable<std::invoke_result_t<F, connection&>>
    {
        return boost::asio::co_spawn(
            pool_.get_executor(), run_pooled(this, std::move(f)), boost::asio::use_awaitable
        );
    }

    // Runs f(connection&) on a pool thread with the leased connection.
    template <class F>
    auto run_on(lease& l, F f) -> boost::asio::awaitable<std::invoke_result_t<F, connection&>>
    {
        return boost::asio::co_spawn(
            pool_.get_executor(), run_leased(&l, std::move(f)), boost::asio::use_awaitable
        );
    }

    lease acquire();

private:
    template <class F>
    static auto run_pooled(reader_pool* self, F f)
        -> boost::asio::awaitable<std::invoke_result_t<F, connection&>>
    {
        auto l = self->acquire();
        co_return f(l.get());
    }
    template <class F>
    static auto run_leased(lease* l, F f) -> boost::asio::awaitable<std::invoke_result_t<F, connection&>>
    {
        co_return f(l->get());
    }

    void release(std::unique_ptr<connection> c);

    std::filesystem::path path_;
    boost::asio::thread_pool pool_;
    std::mutex mutex_;
    std::vector<std::unique_ptr<connection>> free_;
};

} // namespace cpamd::store
