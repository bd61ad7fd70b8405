#pragma once

// The three public price lists that POST /v0/management/model-prices/sync reads (manager-api
// §5.10), parsed into one shape. Pure: bytes in, prices out, so the fuzz target and the unit tests
// drive them without a network.
//
//   models.dev  catalog.json ({"providers":{...},"models":{canonical ids}}), api.json (providers
//               at the top) or the bundled catalog ({"models":{id: entry}}): already USD per 1M.
//   LiteLLM     model_prices_and_context_window.json: USD per token, x1e6.
//   OpenRouter  /api/v1/models: {"data":[{"id","pricing":{...}}]}, decimal strings per token, x1e6.

#include <cpamd/pricing/model_price.hpp>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cpamd::pricing
{

// One priced entry of a source.
struct source_model
{
    std::string id;                   // unique in the source: "openai/gpt-5" (models.dev), "gpt-5" (LiteLLM)
    std::vector<std::string> aliases; // other names the source gives it (models.dev's id without provider)
    std::string provider;             // models.dev provider, "" elsewhere
    bool official = false;            // models.dev: listed in the catalog's canonical "models"
    model_price price;
    std::string raw_json; // the entry as the source wrote it, compact
};

struct source_catalog
{
    std::vector<source_model> models;
    std::size_t skipped = 0; // entries without a usable price
};

// Either a catalog or why the whole document is unusable (not JSON, wrong shape, nothing priced).
struct source_parse
{
    std::optional<source_catalog> catalog;
    std::string error;
};

source_parse parse_models_dev(std::string_view body);
source_parse parse_litellm(std::string_view body);
source_parse parse_openrouter(std::string_view body);

// USD per token -> USD per 1M tokens, rounded to 12 significant digits. A double holds about 16,
// and the product of a decimal per-token price (not exact in binary) and 1e6 can be off in the
// last one or two: 0.0000002 x 1e6 = 0.19999999999999998, 2.19e-6 x 1e6 = 2.1900000000000004. No
// list price has more than a handful of significant digits, so 12 keeps every real digit and
// drops only that noise.
double per_million(double per_token);

// The same rounding for values already per 1M (models.dev): exact decimals stay as they are.
double round_price(double per_million_value);

} // namespace cpamd::pricing
