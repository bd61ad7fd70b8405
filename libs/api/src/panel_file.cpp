#include "panel_file.hpp"

#include <cpamd/core/log.hpp>
#include <cpamd/usage/sha256.hpp>
#include <fstream>
#include <sstream>

namespace cpamd::api
{
namespace
{

// A panel build is a few hundred KiB; anything near this is not one.
constexpr std::uintmax_t max_panel_bytes = 32u << 20;

} // namespace

std::shared_ptr<const loaded_panel> panel_file::get()
{
    namespace fs = std::filesystem;
    std::error_code ec;
    const auto size = fs::file_size(path_, ec);
    const auto mtime = ec ? fs::file_time_type{} : fs::last_write_time(path_, ec);
    std::lock_guard lock(mutex_);
    if (ec || size > max_panel_bytes)
        return failed(ec ? ec.message() : "larger than 32 MiB");
    if (content_ && size == size_ && mtime == mtime_)
        return content_;
    std::ifstream in(path_, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    if (!in)
        return failed("cannot read it");
    auto loaded = std::make_shared<loaded_panel>();
    loaded->bytes = std::move(text).str();
    loaded->etag = '"' + usage::sha256_hex(loaded->bytes).substr(0, 32) + '"';
    content_ = std::move(loaded);
    size_ = size;
    mtime_ = mtime;
    warned_ = false;
    return content_;
}

std::shared_ptr<const loaded_panel> panel_file::failed(const std::string& why)
{
    if (!warned_)
        log::warn("panel: PANEL_PATH {}: {}; serving the built-in page", path_.string(), why);
    warned_ = true;
    content_.reset();
    return nullptr;
}

} // namespace cpamd::api
