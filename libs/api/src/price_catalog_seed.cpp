#include <boost/json/serialize.hpp>
#include <cpamd/api/price_catalog_seed.hpp>
#include <cpamd/core/log.hpp>
#include <cpamd/pricing/price_catalog.hpp>
#include <cpamd/pricing/price_sync.hpp>
#include <cpamd/store/price_repository.hpp>
#include <cpamd/store/settings.hpp>

namespace cpamd::api
{

std::size_t seed_prices_from_catalog(store::store& db, std::int64_t now_ms)
{
    const auto& info = pricing::bundled_catalog_info();
    pricing::sync_session session({}, now_ms);
    session.add({std::string(pricing::source_bundled), pricing::bundled_catalog(), {}});
    auto records = session.select().records;

    std::size_t seeded = 0;
    try
    {
        seeded = db.write_sync(
            [&](store::connection& c) -> std::size_t
            {
                store::transaction tx(c);
                if (store::read_setting(c, price_catalog_seed_key))
                    return 0;
                const bool empty = c.query_int("SELECT EXISTS (SELECT 1 FROM model_prices)").value_or(0) == 0;
                if (empty)
                    store::upsert_price_records(c, records);
                // Written either way: a table that had prices before is the administrator's, for good.
                boost::json::object mark{
                    {"source", info.source},
                    {"date", info.date},
                    {"seeded", empty},
                    {"models", empty ? records.size() : 0},
                    {"atMs", now_ms}};
                store::write_setting(c, price_catalog_seed_key, boost::json::serialize(mark), now_ms);
                tx.commit();
                return empty ? records.size() : 0;
            }
        );
    }
    catch (const std::exception& e)
    {
        // Not fatal: the daemon works without prices, and the next start tries again.
        log::warn("cannot seed model prices from the bundled catalog: {}", e.what());
        return 0;
    }
    if (seeded > 0)
        log::info("seeded {} model prices from the bundled catalog ({}, {})", seeded, info.source, info.date);
    return seeded;
}

} // namespace cpamd::api
