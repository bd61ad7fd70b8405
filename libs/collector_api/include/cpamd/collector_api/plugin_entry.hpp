#pragma once

// Plugin-side convenience, not part of the ABI: the create/destroy pair and the descriptor every
// collector plugin exports, for a collector type constructible from a collector_context.
//
//   CPAMD_COLLECTOR_ENTRY { return cpamd::collector_api::plugin_entry<my_collector>::descriptor("name"); }

#include <cpamd/collector_api/collector.hpp>

namespace cpamd::collector_api
{

template <class Collector>
struct plugin_entry
{
    static ICollector* create(const collector_context& ctx)
    {
        if (ctx.struct_size != sizeof(collector_context) || !ctx.settings || !ctx.sink)
            return nullptr;
        try
        {
            return new Collector(ctx);
        }
        catch (...) // nothing may unwind into the host through a C entry point
        {
            return nullptr;
        }
    }

    // Deleted by the code that allocated it.
    static void destroy(ICollector* c) { delete c; }

    static const collector_descriptor* descriptor(const char* name)
    {
        static const auto d = make_descriptor(name, &create, &destroy);
        return &d;
    }
};

} // namespace cpamd::collector_api
