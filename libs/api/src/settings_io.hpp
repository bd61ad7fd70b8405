#pragma once

// Reading the stored connection rows for a request (on the reader pool) and the reply for an
// api_error, shared by the setup and config routes.

#include <boost/asio/awaitable.hpp>
#include <cpamd/api/manager_config.hpp>
#include <cpamd/api/services.hpp>
#include <cpamd/http/types.hpp>
#include <optional>
#include <string>

namespace cpamd::api::detail
{

struct stored_rows
{
    std::optional<std::string> config; // manager_config_v1
    std::optional<std::string> setup;  // legacy setup
};

boost::asio::awaitable<stored_rows> read_stored_rows(store::store& db);

std::int64_t now_ms();

} // namespace cpamd::api::detail
