#pragma once

// The store as the daemon and the offline commands hold it: the data directory lock, the single
// writer and the reader pool, opened in that order.

#include <cpamd/store/event_writer.hpp>
#include <cpamd/store/lock_file.hpp>
#include <cpamd/store/reader_pool.hpp>
#include <filesystem>
#include <future>
#include <memory>
#include <string>
#include <type_traits>

namespace cpamd::store
{

class store
{
public:
    // Takes the lock, opens/migrates the database, starts the writer and readers. Returns null
    // and sets `why` when another process holds the lock or the database cannot be opened.
    static std::unique_ptr<store>
    open(const std::filesystem::path& db_path, unsigned reader_threads, std::string& why);

    event_writer& writer() { return *writer_; }
    reader_pool& readers() { return *readers_; }
    const std::filesystem::path& path() const { return path_; }

    // Runs f(connection&) on the writer thread and waits for it: for start-up and offline
    // commands, never from the io_context. Rethrows f's exception.
    template <class F>
    auto write_sync(F f) -> std::invoke_result_t<F, connection&>
    {
        using R = std::invoke_result_t<F, connection&>;
        std::promise<R> p;
        auto fut = p.get_future();
        writer_->post_task(
            [&](connection& c)
            {
                try
                {
                    if constexpr (std::is_void_v<R>)
                    {
                        f(c);
                        p.set_value();
                    }
                    else
                        p.set_value(f(c));
                }
                catch (...)
                {
                    p.set_exception(std::current_exception());
                }
            }
        );
        return fut.get();
    }

private:
    store(std::filesystem::path p, lock_file l) : path_(std::move(p)), lock_(std::move(l)) {}

    std::filesystem::path path_;
    lock_file lock_;
    std::unique_ptr<event_writer> writer_;
    std::unique_ptr<reader_pool> readers_;
};

} // namespace cpamd::store
