#include "dashboard_projection.hpp"

#include <cpamd/core/floor_div.hpp>

namespace cpamd::store
{
namespace
{

constexpr std::int64_t ns_per_hour = 3'600'000'000'000;
constexpr std::int64_t ns_per_slot = health_slot_ms * 1'000'000;
constexpr std::int64_t slots_per_hour = ns_per_hour / ns_per_slot;

} // namespace

void dashboard_projection::keep_largest(std::int64_t& id, std::int64_t candidate)
{
    if (candidate != id && candidate != 0 && (id == 0 || dims_.value(candidate) > dims_.value(id)))
        id = candidate;
}

void dashboard_projection::add(const event_fields& e)
{
    auto& r = sources_[{e.source_hash, e.auth_index}];
    r.calls++;
    if (e.failed)
        r.failures++;
    r.last_seen_ns = std::max(r.last_seen_ns, e.ts_ns);
    if (e.latency_ms > 0)
        r.latency_samples++, r.latency_sum += e.latency_ms;
    keep_largest(r.source, e.source);
    keep_largest(r.account, e.account);
    keep_largest(r.label, e.label);
    keep_largest(r.provider_snapshot, e.provider_snapshot);
    keep_largest(r.provider, e.provider);

    auto& s = slots_[floor_div(e.ts_ns, ns_per_slot)];
    s.calls++, s.tokens += e.total_tokens;
    if (e.failed)
        s.failures++;
}

void dashboard_projection::write(connection& db, std::int64_t h)
{
    auto source = db.prepare(R"sql(
INSERT INTO proj_source_hour (hour, source_hash, auth_index, calls, failures, last_seen_ns, latency_samples,
    latency_sum, source, account_snapshot, auth_label_snapshot, auth_provider_snapshot, provider)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
)sql");
    for (const auto& [key, r] : sources_)
    {
        source.reset();
        source.bind(1, h).bind(2, key.first).bind(3, key.second).bind(4, r.calls).bind(5, r.failures);
        source.bind(6, r.last_seen_ns).bind(7, r.latency_samples).bind(8, r.latency_sum).bind(9, r.source);
        source.bind(10, r.account).bind(11, r.label).bind(12, r.provider_snapshot).bind(13, r.provider);
        source.run();
    }
    auto slot =
        db.prepare("INSERT INTO proj_health_slot (slot, calls, failures, tokens) VALUES (?1, ?2, ?3, ?4)");
    for (const auto& [n, s] : slots_)
    {
        slot.reset();
        slot.bind(1, n).bind(2, s.calls).bind(3, s.failures).bind(4, s.tokens).run();
    }
}

void delete_dashboard_rows(connection& db, std::int64_t first_hour, std::int64_t end_hour)
{
    auto sources = db.prepare("DELETE FROM proj_source_hour WHERE hour >= ?1 AND hour < ?2", true);
    sources.bind(1, first_hour).bind(2, end_hour).run();
    auto slots = db.prepare("DELETE FROM proj_health_slot WHERE slot >= ?1 AND slot < ?2", true);
    slots.bind(1, first_hour * slots_per_hour).bind(2, end_hour * slots_per_hour).run();
}

void for_each_source_hour_row(
    connection& db,
    std::int64_t first_hour,
    std::int64_t end_hour,
    const std::function<void(const source_hour_row&)>& f
)
{
    auto s = db.prepare(R"sql(
SELECT hour, source_hash, auth_index, calls, failures, last_seen_ns, latency_samples, latency_sum, source,
       account_snapshot, auth_label_snapshot, auth_provider_snapshot, provider
FROM proj_source_hour WHERE hour >= ?1 AND hour < ?2
)sql");
    s.bind(1, first_hour).bind(2, end_hour);
    source_hour_row r;
    while (s.step())
    {
        r.hour = s.int64(0), r.source_hash = s.int64(1), r.auth_index = s.int64(2), r.calls = s.int64(3);
        r.failures = s.int64(4), r.last_seen_ns = s.int64(5), r.latency_samples = s.int64(6);
        r.latency_sum = s.int64(7), r.source = s.int64(8), r.account = s.int64(9), r.label = s.int64(10);
        r.provider_snapshot = s.int64(11), r.provider = s.int64(12);
        f(r);
    }
}

void for_each_health_slot(
    connection& db,
    std::int64_t first_hour,
    std::int64_t end_hour,
    const std::function<void(const health_slot_row&)>& f
)
{
    auto s = db.prepare("SELECT slot, calls, failures, tokens FROM proj_health_slot WHERE slot >= ?1 AND "
                        "slot < ?2 ORDER BY slot");
    s.bind(1, first_hour * slots_per_hour).bind(2, end_hour * slots_per_hour);
    while (s.step())
        f({s.int64(0), s.int64(1), s.int64(2), s.int64(3)});
}

} // namespace cpamd::store
