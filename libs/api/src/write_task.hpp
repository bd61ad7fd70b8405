#pragma once

// Awaitable form of event_writer::post_task: settings writes run on the writer thread, the
// handler resumes on its own executor with the error text (nullopt on success).

#include <boost/asio/async_result.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cpamd/store/event_writer.hpp>
#include <memory>
#include <optional>
#include <string>

namespace cpamd::api::detail
{

inline boost::asio::awaitable<std::optional<std::string>>
run_write(store::event_writer& w, store::event_writer::task t)
{
    return boost::asio::
        async_initiate<decltype(boost::asio::use_awaitable), void(std::optional<std::string>)>(
            [&w](auto handler, store::event_writer::task task)
            {
                auto work = boost::asio::make_work_guard(handler);
                auto shared = std::make_shared<decltype(handler)>(std::move(handler));
                w.post_task(
                    std::move(task),
                    [shared, work](std::optional<std::string> error) mutable
                    {
                        auto ex = work.get_executor();
                        boost::asio::dispatch(
                            ex, [shared, error = std::move(error)]() mutable { (*shared)(std::move(error)); }
                        );
                        work.reset();
                    }
                );
            },
            boost::asio::use_awaitable,
            std::move(t)
        );
}

} // namespace cpamd::api::detail
