#include "settings_io.hpp"

#include <chrono>
#include <cpamd/store/settings.hpp>

namespace cpamd::api::detail
{

boost::asio::awaitable<stored_rows> read_stored_rows(store::store& db)
{
    co_return co_await db.readers().run(
        [](store::connection& c) {
            return stored_rows{store::read_setting(c, manager_config_key), store::read_setting(c, setup_key)};
        }
    );
}

std::int64_t now_ms()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch()
    )
        .count();
}

} // namespace cpamd::api::detail
