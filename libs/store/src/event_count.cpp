#include <cpamd/store/event_count.hpp>

namespace cpamd::store
{

void add_to_event_count(connection& db, std::int64_t delta)
{
    if (delta == 0)
        return;
    auto s = db.prepare("UPDATE event_count SET events = events + ?1 WHERE id = 0", true);
    s.bind(1, delta).run();
}

std::int64_t read_event_count(connection& db)
{
    return db.query_int("SELECT events FROM event_count WHERE id = 0").value_or(0);
}

} // namespace cpamd::store
