#pragma once

// What the route families need from the rest of the daemon. Owned by apps/cpamd/daemon.cpp,
// which outlives every request.

#include <cpamd/core/config.hpp>
#include <cpamd/store/store.hpp>

#include <cstdint>

namespace cpamd::api {

struct services
{
    const config& cfg;
    store::store& db;
    std::int64_t started_at_ms = 0;
};

} // namespace cpamd::api
