#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cpamd/alerts/history.hpp>
#include <limits>

namespace cpamd::alerts
{

namespace json = boost::json;

std::int64_t add_notice(store::connection& db, const notice& n)
{
    auto s = db.prepare(
        "INSERT INTO alert_history (at_ms, rule, kind, subject, event, level, value, threshold, message) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"
    );
    s.bind(1, n.at_ms)
        .bind(2, n.rule)
        .bind(3, n.kind)
        .bind(4, n.subject)
        .bind(5, n.event)
        .bind(6, n.level)
        .bind(7, n.value)
        .bind(8, n.threshold)
        .bind(9, n.message);
    s.step();
    const auto id = db.last_insert_rowid();
    auto trim = db.prepare("DELETE FROM alert_history WHERE id <= ?1");
    trim.bind(1, id - history_rows_kept);
    trim.step();
    return id;
}

void add_delivery(store::connection& db, std::int64_t id, const delivery_result& d)
{
    auto s =
        db.prepare("UPDATE alert_history SET deliveries = json_insert(deliveries, '$[#]', "
                   "json_object('sink', ?2, 'ok', json(?3), 'attempts', ?4, 'error', ?5)) WHERE id = ?1");
    s.bind(1, id)
        .bind(2, d.sink)
        .bind(3, std::string(d.ok ? "true" : "false"))
        .bind(4, std::int64_t{d.attempts})
        .bind(5, d.error);
    s.step();
}

std::vector<notice> unresolved_firings(store::connection& db)
{
    // The newest firing/resolved row per (rule, subject); SQLite takes the bare columns from the
    // row that holds max(id).
    auto s = db.prepare("SELECT max(id), at_ms, rule, kind, subject, event, level, value, threshold, message "
                        "FROM alert_history "
                        "WHERE event IN ('firing', 'resolved') GROUP BY rule, subject");
    std::vector<notice> out;
    while (s.step())
    {
        if (s.text(5) != "firing")
            continue;
        notice n;
        n.at_ms = n.since_ms = s.int64(1);
        n.rule = std::string(s.text(2));
        n.kind = std::string(s.text(3));
        n.subject = std::string(s.text(4));
        n.event = "firing";
        n.level = std::string(s.text(6));
        n.value = s.real(7);
        n.threshold = s.real(8);
        n.message = std::string(s.text(9));
        out.push_back(std::move(n));
    }
    return out;
}

history_page read_history(store::connection& db, std::int64_t limit, std::optional<std::int64_t> before)
{
    auto s = db.prepare(
        "SELECT id, at_ms, rule, kind, subject, event, level, value, threshold, message, deliveries "
        "FROM alert_history WHERE id < ?1 ORDER BY id DESC LIMIT ?2"
    );
    s.bind(1, before.value_or(std::numeric_limits<std::int64_t>::max())).bind(2, limit + 1);
    history_page out;
    while (s.step())
    {
        if (static_cast<std::int64_t>(out.items.size()) == limit)
        {
            out.next_before = out.items.back().as_object().at("id").as_int64();
            break;
        }
        boost::system::error_code ec;
        auto deliveries = json::parse(s.text(10), ec);
        out.items.push_back(json::object{
            {"id", s.int64(0)},
            {"at", s.int64(1)},
            {"rule", s.text(2)},
            {"kind", s.text(3)},
            {"subject", s.text(4)},
            {"event", s.text(5)},
            {"level", s.text(6)},
            {"value", s.real(7)},
            {"threshold", s.real(8)},
            {"message", s.text(9)},
            {"deliveries", ec || !deliveries.is_array() ? json::value(json::array{}) : deliveries}});
    }
    return out;
}

} // namespace cpamd::alerts
