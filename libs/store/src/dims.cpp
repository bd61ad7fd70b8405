#include <cpamd/store/dims.hpp>

namespace cpamd::store
{

dim_writer::dim_writer(connection& db)
    : db_(db), insert_(db.prepare("INSERT OR IGNORE INTO dim (kind, value) VALUES (?1, ?2)", true)),
      select_(db.prepare("SELECT id FROM dim WHERE kind = ?1 AND value = ?2", true))
{
}

std::string dim_writer::key(dim_kind kind, std::string_view value) const
{
    std::string k;
    k.reserve(value.size() + 1);
    k.push_back(static_cast<char>(kind));
    k.append(value);
    return k;
}

std::int64_t dim_writer::intern(dim_kind kind, std::string_view value)
{
    if (value.empty())
        return 0;
    auto k = key(kind, value);
    if (auto it = cache_.find(k); it != cache_.end())
        return it->second;
    insert_.bind(1, static_cast<std::int64_t>(kind)).bind(2, value);
    insert_.run();
    std::int64_t id = 0;
    if (db_.changes() == 1)
        id = db_.last_insert_rowid();
    else
    {
        select_.bind(1, static_cast<std::int64_t>(kind)).bind(2, value);
        if (select_.step())
            id = select_.int64(0);
        select_.reset();
    }
    cache_.emplace(k, id);
    fresh_.push_back(std::move(k));
    return id;
}

void dim_writer::rollback()
{
    for (const auto& k : fresh_)
        cache_.erase(k);
    fresh_.clear();
}

const std::string& dim_reader::value(std::int64_t id)
{
    static const std::string empty;
    if (id == 0)
        return empty;
    if (auto it = cache_.find(id); it != cache_.end())
        return it->second;
    if (!select_.step_ready())
        select_ = db_.prepare("SELECT value FROM dim WHERE id = ?1");
    select_.bind(1, id);
    std::string v;
    if (select_.step())
        v = std::string(select_.text(0));
    select_.reset();
    return cache_.emplace(id, std::move(v)).first->second;
}

} // namespace cpamd::store
