#include <cpamd/store/store.hpp>

namespace cpamd::store
{

std::unique_ptr<store>
store::open(const std::filesystem::path& db_path, unsigned reader_threads, std::string& why)
{
    std::error_code ec;
    if (db_path.has_parent_path())
        std::filesystem::create_directories(db_path.parent_path(), ec);
    auto lock = lock_file::acquire(db_path, why);
    if (!lock)
        return nullptr;
    std::unique_ptr<store> s(new store(db_path, std::move(*lock)));
    try
    {
        s->writer_ = std::make_unique<event_writer>(db_path);
        s->readers_ = std::make_unique<reader_pool>(db_path, reader_threads);
    }
    catch (const std::exception& e)
    {
        why = e.what();
        return nullptr;
    }
    return s;
}

} // namespace cpamd::store
