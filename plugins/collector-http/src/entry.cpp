// The plugin's one exported symbol.

#include "http_collector.hpp"

#include <cpamd/collector_api/plugin_entry.hpp>

CPAMD_COLLECTOR_ENTRY
{
    return cpamd::collector_api::plugin_entry<cpamd::collector_http::http_collector>::descriptor("http");
}
