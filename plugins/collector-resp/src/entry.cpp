// The plugin's only exported symbol: the descriptor the host checks before creating a collector.

#include "pop_collector.hpp"

namespace
{

using namespace cpamd::collector_api;

ICollector* create(const collector_context& ctx)
{
    if (ctx.struct_size != sizeof(collector_context) || !ctx.settings || !ctx.sink)
        return nullptr;
    try
    {
        return new cpamd::collectors::pop_collector(ctx);
    }
    catch (...) // nothing may unwind into the host through a C entry
    {
        return nullptr;
    }
}

void destroy(ICollector* c)
{
    delete c; // deleted here, by the code that allocated it
}

} // namespace

CPAMD_COLLECTOR_ENTRY
{
    static const auto d = make_descriptor("resp", &create, &destroy);
    return &d;
}
