#include <cpamd/store/dims.hpp>

namespace cpamd::store
{

dim_writer::dim_writer(connection& db)
    : db_(db), insert_(db.prepare("INSERT OR IGNORE INTO dim (kind, value) VALUES (?1, ?2)", true)),
      select_(db.prepare("SELECT id FROM dim WHERE kind = ?1 AND value = ?2", true))
{
}

std::int64_t dim_writer::intern(dim_kind kind, std::string_view value)
{
    if (value.empty())
        return 0;
    auto& last = last_[static_cast<std::size_t>(kind) % kind_count];
    if (last.id != 0 && last.value == value)
        return last.id;
    std::int64_t id = lookup_or_insert(kind, value);
    last.value.assign(value);
    last.id = id;
    return id;
}

std::int64_t dim_writer::lookup_or_insert(dim_kind kind, std::string_view value)
{
    auto& cache = cache_[static_cast<std::size_t>(kind) % kind_count];
    if (auto it = cache.find(value); it != cache.end())
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
    cache.emplace(std::string(value), id);
    fresh_.emplace_back(kind, std::string(value));
    return id;
}

void dim_writer::rollback()
{
    for (const auto& [kind, value] : fresh_)
        cache_[static_cast<std::size_t>(kind) % kind_count].erase(value);
    fresh_.clear();
    for (auto& last : last_)
        last.id = 0;
}

std::optional<std::int64_t> find_dim(connection& db, dim_kind kind, std::string_view value)
{
    if (value.empty())
        return 0;
    auto s = db.prepare("SELECT id FROM dim WHERE kind = ?1 AND value = ?2");
    s.bind(1, static_cast<std::int64_t>(kind)).bind(2, value);
    if (!s.step())
        return std::nullopt;
    return s.int64(0);
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
