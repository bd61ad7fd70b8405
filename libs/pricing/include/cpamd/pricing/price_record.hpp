#pragma once

// A model_prices row as manager-api §5.10 sends and stores it: the price the cost function reads
// (model_price) plus where it came from. The JSON codec (price_json.hpp) and the repository
// (store/price_repository.hpp) exchange these.

#include <cpamd/pricing/model_price.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace cpamd::pricing
{

struct price_record
{
    model_price price;
    std::string source;          // "manual", "models.dev", "litellm", "openrouter", "bundled", ... or ""
    std::string source_model_id; // the source's own id for the model, or ""
    std::string raw_json;        // the source's entry as fetched, or ""
    std::int64_t updated_at_ms = 0;
    std::optional<std::int64_t> synced_at_ms;
};

// Model id -> record, ordered by id.
using price_records = std::map<std::string, price_record, std::less<>>;

} // namespace cpamd::pricing
