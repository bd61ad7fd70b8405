#include <cpamd/store/settings.hpp>

namespace cpamd::store
{

std::optional<std::string> read_setting(connection& db, std::string_view key)
{
    auto s = db.prepare("SELECT value FROM settings WHERE key = ?1");
    s.bind(1, key);
    if (!s.step())
        return std::nullopt;
    return std::string(s.text(0));
}

void write_setting(connection& db, std::string_view key, std::string_view json_value, std::int64_t now_ms)
{
    auto s = db.prepare(
        "INSERT INTO settings (key, value, updated_at_ms) VALUES (?1, ?2, ?3) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at_ms = excluded.updated_at_ms"
    );
    s.bind(1, key).bind(2, json_value).bind(3, now_ms);
    s.run();
}

void delete_setting(connection& db, std::string_view key)
{
    auto s = db.prepare("DELETE FROM settings WHERE key = ?1");
    s.bind(1, key);
    s.run();
}

} // namespace cpamd::store
