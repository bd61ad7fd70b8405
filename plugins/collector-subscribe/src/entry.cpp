// The plugin's only exported symbol: the descriptor the host checks before creating a collector.

#include <cpamd/collector_api/plugin_entry.hpp>
#include <cpamd/collectors/subscribe_collector.hpp>

CPAMD_COLLECTOR_ENTRY
{
    return cpamd::collector_api::plugin_entry<cpamd::collectors::subscribe_collector>::descriptor("subscribe"
    );
}
