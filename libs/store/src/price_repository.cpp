#include <cpamd/store/context_bands.hpp>
#include <cpamd/store/price_repository.hpp>
#include <cpamd/store/usage_rows.hpp>

namespace cpamd::store
{
namespace
{

// Rates of a tier row: columns [first, first+5) hold the rates, [first+5, first+10) the flags.
// A NULL rate reads as 0.
pricing::rate_set tier_rates(const statement& st, int first)
{
    auto at = [&](int i) { return pricing::rate{st.real(first + i), st.int64(first + 5 + i) != 0}; };
    return {at(0), at(1), at(2), at(3), at(4)};
}

// Binds a tier's rates and flags to parameters [first, first+10).
void bind_tier_rates(statement& st, int first, const pricing::rate_set& r)
{
    const pricing::rate* rates[] = {&r.prompt, &r.completion, &r.cache, &r.cache_read, &r.cache_creation};
    for (int i = 0; i < 5; ++i)
    {
        st.bind(first + i, rates[i]->per_million);
        st.bind(first + 5 + i, static_cast<std::int64_t>(rates[i]->configured ? 1 : 0));
    }
}

std::int64_t flag(bool b)
{
    return b ? 1 : 0;
}

constexpr std::string_view insert_price_sql =
    "INSERT INTO model_prices (model, prompt_per_1m, completion_per_1m, cache_per_1m, cache_read_per_1m, "
    "cache_creation_per_1m, prompt_configured, completion_configured, cache_read_configured, "
    "cache_creation_configured, source, source_model_id, raw_json, updated_at_ms, synced_at_ms) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

// The same row replacing an existing one in place (the tiers are rewritten separately).
constexpr std::string_view upsert_price_suffix =
    " ON CONFLICT (model) DO UPDATE SET prompt_per_1m = excluded.prompt_per_1m, "
    "completion_per_1m = excluded.completion_per_1m, cache_per_1m = excluded.cache_per_1m, "
    "cache_read_per_1m = excluded.cache_read_per_1m, cache_creation_per_1m = excluded.cache_creation_per_1m, "
    "prompt_configured = excluded.prompt_configured, completion_configured = excluded.completion_configured, "
    "cache_read_configured = excluded.cache_read_configured, "
    "cache_creation_configured = excluded.cache_creation_configured, source = excluded.source, "
    "source_model_id = excluded.source_model_id, raw_json = excluded.raw_json, "
    "updated_at_ms = excluded.updated_at_ms, synced_at_ms = excluded.synced_at_ms";

constexpr std::string_view insert_context_tier_sql =
    "INSERT INTO model_price_context_tiers (model, threshold_tokens, prompt_per_1m, completion_per_1m, "
    "cache_per_1m, cache_read_per_1m, cache_creation_per_1m, prompt_configured, completion_configured, "
    "cache_configured, cache_read_configured, cache_creation_configured) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

constexpr std::string_view insert_service_tier_sql =
    "INSERT INTO model_price_service_tiers (model, mode, service_tier, prompt_per_1m, completion_per_1m, "
    "cache_per_1m, cache_read_per_1m, cache_creation_per_1m, prompt_configured, completion_configured, "
    "cache_configured, cache_read_configured, cache_creation_configured) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

// The statements one write uses, prepared once per call.
struct writer_statements
{
    statement price;
    statement context_tier;
    statement service_tier;

    writer_statements(connection& db, bool upsert)
        : price(db.prepare(
              upsert ? std::string(insert_price_sql) + std::string(upsert_price_suffix)
                     : std::string(insert_price_sql)
          )),
          context_tier(db.prepare(insert_context_tier_sql)), service_tier(db.prepare(insert_service_tier_sql))
    {
    }

    void write(std::string_view model, const pricing::price_record& r)
    {
        const auto& rates = r.price.rates;
        price.bind(1, model)
            .bind(2, rates.prompt.per_million)
            .bind(3, rates.completion.per_million)
            .bind(4, rates.cache.per_million)
            .bind(5, rates.cache_read.per_million)
            .bind(6, rates.cache_creation.per_million)
            .bind(7, flag(rates.prompt.configured))
            .bind(8, flag(rates.completion.configured))
            .bind(9, flag(rates.cache_read.configured))
            .bind(10, flag(rates.cache_creation.configured))
            .bind_text_or_null(11, r.source)
            .bind_text_or_null(12, r.source_model_id)
            .bind_text_or_null(13, r.raw_json)
            .bind(14, r.updated_at_ms)
            .bind(15, r.synced_at_ms)
            .run();
        for (const auto& t : r.price.context_tiers)
        {
            context_tier.bind(1, model).bind(2, t.threshold_tokens);
            bind_tier_rates(context_tier, 3, t.rates);
            context_tier.run();
        }
        for (const auto& t : r.price.service_tiers)
        {
            service_tier.bind(1, model)
                .bind(2, std::string_view(t.mode))
                .bind(3, std::string_view(t.service_tier));
            bind_tier_rates(service_tier, 4, t.rates);
            service_tier.run();
        }
    }
};

} // namespace

pricing::price_records load_price_records(connection& db)
{
    pricing::price_records out;
    auto rows = db.prepare(
        "SELECT model, prompt_per_1m, completion_per_1m, cache_per_1m, cache_read_per_1m, "
        "cache_creation_per_1m, "
        "prompt_configured, completion_configured, cache_read_configured, cache_creation_configured, source, "
        "source_model_id, raw_json, updated_at_ms, synced_at_ms FROM model_prices ORDER BY model"
    );
    while (rows.step())
    {
        pricing::price_record r;
        auto& rates = r.price.rates;
        rates.prompt = {rows.real(1), rows.int64(6) != 0};
        rates.completion = {rows.real(2), rows.int64(7) != 0};
        // The top-level cache has no flag: set when non-zero (model_price.hpp).
        rates.cache = {rows.real(3), rows.real(3) > 0};
        rates.cache_read = {rows.real(4), rows.int64(8) != 0};
        rates.cache_creation = {rows.real(5), rows.int64(9) != 0};
        r.source = rows.text(10);
        r.source_model_id = rows.text(11);
        r.raw_json = rows.text(12);
        r.updated_at_ms = rows.int64(13);
        r.synced_at_ms = rows.opt_int64(14);
        out.emplace(std::string(rows.text(0)), std::move(r));
    }

    auto context = db.prepare(
        "SELECT model, threshold_tokens, prompt_per_1m, completion_per_1m, cache_per_1m, cache_read_per_1m, "
        "cache_creation_per_1m, prompt_configured, completion_configured, cache_configured, "
        "cache_read_configured, cache_creation_configured FROM model_price_context_tiers "
        "ORDER BY model, threshold_tokens"
    );
    while (context.step())
        if (auto it = out.find(context.text(0)); it != out.end())
            it->second.price.context_tiers.push_back({context.int64(1), tier_rates(context, 2)});

    auto service =
        db.prepare("SELECT model, mode, service_tier, prompt_per_1m, completion_per_1m, cache_per_1m, "
                   "cache_read_per_1m, "
                   "cache_creation_per_1m, prompt_configured, completion_configured, cache_configured, "
                   "cache_read_configured, cache_creation_configured FROM model_price_service_tiers "
                   "ORDER BY model, mode, service_tier");
    while (service.step())
        if (auto it = out.find(service.text(0)); it != out.end())
            it->second.price.service_tiers.push_back(
                {std::string(service.text(1)), std::string(service.text(2)), tier_rates(service, 3)}
            );
    return out;
}

pricing::price_table load_price_table(connection& db)
{
    pricing::price_table table;
    for (auto& [model, r] : load_price_records(db))
        table.prices.emplace(model, std::move(r.price));
    return table;
}

void replace_price_records(connection& db, const pricing::price_records& records)
{
    // The tiers first and explicitly: ON DELETE CASCADE only acts with foreign_keys on, which is
    // a per-connection setting.
    db.exec("DELETE FROM model_price_service_tiers; DELETE FROM model_price_context_tiers; DELETE FROM "
            "model_prices;");
    writer_statements w(db, false);
    for (const auto& [model, r] : records)
        w.write(model, r);
    refresh_context_bands(db);
    prices_changed(db);
}

void upsert_price_records(connection& db, const pricing::price_records& records)
{
    writer_statements w(db, true);
    auto drop_context = db.prepare("DELETE FROM model_price_context_tiers WHERE model = ?");
    auto drop_service = db.prepare("DELETE FROM model_price_service_tiers WHERE model = ?");
    for (const auto& [model, r] : records)
    {
        drop_context.bind(1, std::string_view(model)).run();
        drop_service.bind(1, std::string_view(model)).run();
        w.write(model, r);
    }
    refresh_context_bands(db);
    if (!records.empty())
        prices_changed(db);
}

} // namespace cpamd::store
