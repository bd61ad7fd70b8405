#pragma once

// The model_prices tables (model_prices, model_price_context_tiers, model_price_service_tiers:
// the upstream's names and columns, schema v1). Writes run on the writer thread inside the
// caller's transaction; each write ends with refresh_context_bands() (context_bands.hpp), so a
// new or removed context threshold re-derives the rollups' bands.

#include <cpamd/pricing/price_record.hpp>
#include <cpamd/store/sqlite.hpp>

namespace cpamd::store
{

// Every row with its tiers.
pricing::price_records load_price_records(connection& db);

// The rows as the cost function reads them (price_table::prices; builtin stays empty).
pricing::price_table load_price_table(connection& db);

// Replaces every row by `records` (PUT). Call inside a transaction.
void replace_price_records(connection& db, const pricing::price_records& records);

// Inserts or replaces the rows of `records`, tiers included, leaving the others (sync, catalog).
// Call inside a transaction.
void upsert_price_records(connection& db, const pricing::price_records& records);

} // namespace cpamd::store
