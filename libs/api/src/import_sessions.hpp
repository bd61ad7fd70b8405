#pragma once

// Internal: resumable import sessions (manager-api §5.9). A session is a file upload in chunks
// to <data>/usage-imports/<id>.part (directory 0700) with its state in <id>.json, then an
// asynchronous all-or-nothing import of the file (usage_import.hpp).

#include "usage_context.hpp"

#include <boost/json/object.hpp>
#include <cpamd/core/config.hpp>
#include <cpamd/http/router.hpp>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <system_error>

namespace cpamd::api::detail
{

std::filesystem::path imports_dir(const config& cfg);
// Creates `dir` if needed and restricts it to the owner (0700).
void ensure_private_dir(const std::filesystem::path& dir, std::error_code& ec);

struct import_session
{
    std::string id; // 32 hex
    std::string filename;
    std::string status; // uploading|ready|processing|completed|failed|cancelled
    std::int64_t size_bytes = 0;
    std::int64_t received_bytes = 0;
    std::int64_t chunk_size_bytes = 0;
    std::int64_t created_at_ms = 0;
    std::int64_t updated_at_ms = 0;
    std::int64_t expires_at_ms = 0;
    bool retryable = false;
    std::string error;
    std::optional<boost::json::object> result;
    std::string resume_key;
    bool chunk_in_flight = false; // not persisted

    boost::json::object to_json() const;
    bool active() const { return status == "uploading" || status == "ready" || status == "processing"; }
};

class import_sessions
{
public:
    import_sessions(std::filesystem::path dir, usage_import_limits limits);

    std::filesystem::path part_path(const std::string& id) const { return dir_ / (id + ".part"); }
    const std::filesystem::path& dir() const { return dir_; }
    const usage_import_limits& limits() const { return limits_; }

    // Everything below is called with mutex() held.
    std::mutex& mutex() { return mutex_; }
    import_session* find(const std::string& id);
    import_session* find_by_resume_key(const std::string& key);
    std::map<std::string, import_session>& all() { return sessions_; }
    void save(const import_session& s);       // writes <id>.json (best effort)
    void drop_files(const import_session& s); // removes <id>.part
    void expire(std::int64_t now_ms);

private:
    void load();

    std::filesystem::path dir_;
    usage_import_limits limits_;
    std::mutex mutex_;
    std::map<std::string, import_session> sessions_;
};

void add_import_session_routes(http::router& r, std::shared_ptr<usage_context> ctx);

} // namespace cpamd::api::detail
