#pragma once

// The panel file PANEL_PATH names, read again only when its size or modification time changes.

#include <filesystem>
#include <memory>
#include <mutex>
#include <string>

namespace cpamd::api
{

struct loaded_panel
{
    std::string bytes;
    std::string etag; // quoted, from the content's SHA-256
};

class panel_file
{
public:
    explicit panel_file(std::filesystem::path path) : path_(std::move(path)) {}

    // The content; null when the file cannot be read (each failure is logged once until it can).
    std::shared_ptr<const loaded_panel> get();

private:
    std::shared_ptr<const loaded_panel> failed(const std::string& why);

    const std::filesystem::path path_;
    std::mutex mutex_;
    std::shared_ptr<const loaded_panel> content_;
    std::uintmax_t size_ = 0;
    std::filesystem::file_time_type mtime_{};
    bool warned_ = false;
};

} // namespace cpamd::api
