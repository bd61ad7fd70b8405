// The plugin's one exported symbol.

#include "http_collector.hpp"

namespace
{

cpamd::collector_api::ICollector* create(const cpamd::collector_api::collector_context& ctx)
{
    if (ctx.struct_size != sizeof(cpamd::collector_api::collector_context) || !ctx.settings || !ctx.sink)
        return nullptr;
    return new cpamd::collector_http::http_collector(ctx);
}

void destroy(cpamd::collector_api::ICollector* c)
{
    delete c;
}

} // namespace

CPAMD_COLLECTOR_ENTRY
{
    static const auto d = cpamd::collector_api::make_descriptor("http", &create, &destroy);
    return &d;
}
