#pragma once

// Internal: what the usage routes share. One instance per router, owned by the route lambdas.

#include <boost/asio/thread_pool.hpp>
#include <cpamd/api/services.hpp>
#include <memory>

namespace cpamd::api::detail
{

class import_sessions;

struct usage_context
{
    explicit usage_context(services& s);
    ~usage_context();

    services& svc;
    // Parsing and import passes run here, never on the event loop's threads.
    boost::asio::thread_pool jobs{1};
    std::unique_ptr<import_sessions> sessions;
};

} // namespace cpamd::api::detail
