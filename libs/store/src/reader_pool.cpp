#include <cpamd/store/database.hpp>
#include <cpamd/store/reader_pool.hpp>

namespace cpamd::store
{

reader_pool::reader_pool(std::filesystem::path db_path, unsigned size)
    : path_(std::move(db_path)), pool_(size)
{
}

reader_pool::~reader_pool()
{
    pool_.join();
}

reader_pool::lease reader_pool::acquire()
{
    {
        std::lock_guard lock(mutex_);
        if (!free_.empty())
        {
            auto c = std::move(free_.back());
            free_.pop_back();
            return lease(*this, std::move(c));
        }
    }
    return lease(*this, std::make_unique<connection>(open_reader(path_)));
}

void reader_pool::release(std::unique_ptr<connection> c)
{
    std::lock_guard lock(mutex_);
    if (free_.size() < 8)
        free_.push_back(std::move(c));
}

} // namespace cpamd::store
