// The plugin's only exported symbol: the descriptor the host checks before creating a collector.

#include "pop_collector.hpp"

#include <cpamd/collector_api/plugin_entry.hpp>

CPAMD_COLLECTOR_ENTRY
{
    return cpamd::collector_api::plugin_entry<cpamd::collectors::pop_collector>::descriptor("resp");
}
