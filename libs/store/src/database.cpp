#include <cpamd/store/database.hpp>
#include <cpamd/store/migrations.hpp>

namespace cpamd::store
{

connection open_writer(const std::filesystem::path& path)
{
    if (path.has_parent_path())
        std::filesystem::create_directories(path.parent_path());
    connection db(path, connection::mode::read_write_create);
    db.exec("PRAGMA journal_mode=WAL");
    db.exec("PRAGMA synchronous=NORMAL");
    db.exec("PRAGMA foreign_keys=ON");
    // Bounds the WAL file after checkpoints (256 MiB, as upstream).
    db.exec("PRAGMA journal_size_limit=268435456");
    migrate(db);
    return db;
}

connection open_reader(const std::filesystem::path& path)
{
    connection db(path, connection::mode::read_only);
    db.exec("PRAGMA query_only=ON");
    return db;
}

} // namespace cpamd::store
