#include <array>
#include <cerrno>
#include <cpamd/security/base64.hpp>
#include <cpamd/security/data_key.hpp>
#include <cpamd/security/primitives.hpp>
#include <cpamd/security/text.hpp>
#include <fcntl.h>
#include <fmt/format.h>
#include <string>
#include <sys/stat.h>
#include <system_error>
#include <unistd.h>

namespace cpamd::security
{

namespace fs = std::filesystem;

namespace
{

constexpr std::string_view hkdf_salt = "cpa-manager-plus";
constexpr std::string_view hkdf_info = "data-key-v1";

// Larger files are not key files; reading stops there instead of slurping a log by mistake.
constexpr std::size_t max_key_file_size = 64 * 1024;

std::string errno_text(int e)
{
    return std::generic_category().message(e); // a description of errno, never data
}

class fd_guard
{
public:
    explicit fd_guard(int fd) noexcept : fd_(fd) {}
    fd_guard(const fd_guard&) = delete;
    fd_guard& operator=(const fd_guard&) = delete;
    ~fd_guard()
    {
        if (fd_ >= 0)
            ::close(fd_);
    }
    int get() const noexcept { return fd_; }
    // Closes now and reports the error close() may carry (delayed write errors).
    int close_now() noexcept
    {
        const int rc = ::close(fd_);
        fd_ = -1;
        return rc;
    }

private:
    int fd_;
};

struct read_outcome
{
    int error = 0; // errno of open/read, 0 on success
    bool too_large = false;
    secret_string content;
};

read_outcome read_key_file(const fs::path& path)
{
    read_outcome out;
    fd_guard fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0)
    {
        out.error = errno;
        return out;
    }
    // One buffer, sized up front, wiped on every exit: no stray copies of the key.
    secret_bytes buf(max_key_file_size + 1);
    std::size_t used = 0;
    while (used < buf.size())
    {
        const ssize_t n = ::read(fd.get(), buf.data() + used, buf.size() - used);
        if (n < 0)
        {
            if (errno == EINTR)
                continue;
            out.error = errno;
            return out;
        }
        if (n == 0)
            break;
        used += static_cast<std::size_t>(n);
    }
    if (used > max_key_file_size)
    {
        out.too_large = true;
        return out;
    }
    out.content = secret_string(std::string_view(reinterpret_cast<const char*>(buf.data()), used));
    return out;
}

// base64 (RawStd, Std, RawURL, in that order) of exactly 32 bytes, else 32 literal bytes.
bool parse_key_text(std::string_view value, secret_bytes& key)
{
    secret_bytes buf(base64_max_decoded_size(value.size()));
    for (base64_variant v : {base64_variant::raw_std, base64_variant::std, base64_variant::raw_url})
    {
        const auto st = base64_decode_into(value, v, buf.mutable_bytes());
        if (st && st.size == data_key_size)
        {
            key = secret_bytes(buf.bytes().first(data_key_size));
            return true;
        }
    }
    if (value.size() == data_key_size)
    {
        key = secret_bytes(as_bytes(value));
        return true;
    }
    return false;
}

// mkdir -p with mode 0700 for the directories it creates (existing ones are left alone).
bool make_dirs(const fs::path& dir, int& err)
{
    if (dir.empty())
        return true;
    struct stat st
    {
    };
    if (::stat(dir.c_str(), &st) == 0)
    {
        if (S_ISDIR(st.st_mode))
            return true;
        err = ENOTDIR;
        return false;
    }
    if (dir.has_parent_path() && dir.parent_path() != dir && !make_dirs(dir.parent_path(), err))
        return false;
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
    {
        err = errno;
        return false;
    }
    return true;
}

bool write_all(int fd, std::string_view data, int& err)
{
    while (!data.empty())
    {
        const ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0)
        {
            if (errno == EINTR)
                continue;
            err = errno;
            return false;
        }
        data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

// Writes `content` to a new file at `path` (O_EXCL, 0600) and fsyncs it. On failure the file is
// removed again. Returns 0 or an errno (EEXIST when the file already exists).
int write_new_file(const fs::path& path, std::string_view content)
{
    fd_guard fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (fd.get() < 0)
        return errno;
    int err = 0;
    if (!write_all(fd.get(), content, err) || ::fsync(fd.get()) != 0 || fd.close_now() != 0)
    {
        if (err == 0)
            err = errno;
        ::unlink(path.c_str());
        return err;
    }
    return 0;
}

void fsync_dir(const fs::path& dir)
{
    // Makes the new directory entry durable. Best effort: some filesystems refuse it.
    fd_guard fd(::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (fd.get() >= 0)
        ::fsync(fd.get());
}

std::string mode_warning(const fs::path& path)
{
    struct stat st
    {
    };
    if (::stat(path.c_str(), &st) != 0 || (st.st_mode & 077) == 0)
        return {};
    return fmt::format(
        "data key file {} is accessible by group or others (mode {:04o}); run chmod 600 on it",
        path.string(),
        st.st_mode & 07777
    );
}

result<data_key> read_existing_key_file(const fs::path& path, const secret_string& content)
{
    data_key out;
    if (!parse_key_text(trim_space(content.view()), out.key))
        return security_error{fmt::format(
            "data key file {}: must hold 32 bytes or their base64 encoding (refusing to start: "
            "a different key would make stored secrets unreadable)",
            path.string()
        )};
    out.origin = data_key_origin::key_file;
    out.path = path;
    out.warning = mode_warning(path);
    return out;
}

result<data_key> create_key_file(const fs::path& path)
{
    const fs::path dir = path.parent_path();
    int err = 0;
    if (!make_dirs(dir, err))
        return security_error{fmt::format("create data key directory {}: {}", dir.string(), errno_text(err))};

    data_key out;
    out.key = secret_bytes(data_key_size);
    random_bytes(out.key.mutable_bytes());
    const secret_string content(base64_encode(out.key.bytes(), base64_variant::raw_std) + "\n");

    // Write a private temp file, then link(2) it into place: link never replaces an existing
    // file, so a concurrent starter's key is never overwritten and no reader ever sees a
    // half-written key file.
    std::array<unsigned char, 8> rnd{};
    random_bytes(rnd);
    std::string tmp_name = path.filename().string() + ".tmp-";
    for (unsigned char b : rnd)
        tmp_name += fmt::format("{:02x}", b);
    const fs::path tmp = dir / tmp_name;

    if (int e = write_new_file(tmp, content.view()); e != 0)
        return security_error{fmt::format("write data key {}: {}", tmp.string(), errno_text(e))};
    int link_err = ::link(tmp.c_str(), path.c_str()) == 0 ? 0 : errno;
    ::unlink(tmp.c_str());
    if (link_err == EPERM || link_err == EOPNOTSUPP || link_err == ENOSYS || link_err == EMLINK)
    {
        // No hard links on this filesystem: create the final name exclusively instead.
        link_err = write_new_file(path, content.view());
    }
    if (link_err == EEXIST)
    {
        // Another process created it first: use theirs.
        read_outcome r = read_key_file(path);
        if (r.error != 0)
            return security_error{fmt::format("read data key {}: {}", path.string(), errno_text(r.error))};
        if (r.too_large)
            return security_error{fmt::format("data key file {}: too large to be a key", path.string())};
        return read_existing_key_file(path, r.content);
    }
    if (link_err != 0)
        return security_error{fmt::format("write data key {}: {}", path.string(), errno_text(link_err))};
    fsync_dir(dir);

    out.origin = data_key_origin::key_file;
    out.path = path;
    out.created = true;
    return out;
}

} // namespace

std::string_view to_string(data_key_origin o) noexcept
{
    switch (o)
    {
    case data_key_origin::env_value:
        return "CPA_MANAGER_DATA_KEY";
    case data_key_origin::secret_file:
        return "secret file";
    case data_key_origin::key_file:
        return "data key file";
    }
    return "data key file";
}

result<secret_bytes> derive_data_key_from_value(std::string_view value, bool* stretched)
{
    const std::string_view v = trim_space(value);
    if (v.empty())
        return security_error{"data key is required"};
    secret_bytes key;
    const bool parsed = parse_key_text(v, key);
    if (stretched != nullptr)
        *stretched = !parsed;
    if (parsed)
        return key;
    return hkdf_sha256(as_bytes(v), hkdf_salt, hkdf_info, data_key_size);
}

result<secret_bytes> parse_stored_data_key(std::string_view content)
{
    const std::string_view v = trim_space(content);
    if (v.empty())
        return security_error{"data key is empty"};
    secret_bytes key;
    if (!parse_key_text(v, key))
        return security_error{"data key must be 32 bytes or base64-encoded 32 bytes"};
    return key;
}

result<data_key> load_or_create_data_key(const data_key_inputs& inputs)
{
    if (!trim_space(inputs.env_value.view()).empty())
    {
        data_key out;
        out.key = derive_data_key_from_value(inputs.env_value.view(), &out.stretched).value();
        out.origin = data_key_origin::env_value;
        return out;
    }

    for (const fs::path& file : inputs.secret_files)
    {
        if (file.empty())
            continue;
        read_outcome r = read_key_file(file);
        if (r.error != 0 || r.too_large || trim_space(r.content.view()).empty())
            continue; // unreadable or blank: the next source decides (upstream behaviour)
        data_key out;
        out.key = derive_data_key_from_value(r.content.view(), &out.stretched).value();
        out.origin = data_key_origin::secret_file;
        out.path = file;
        return out;
    }

    const fs::path& path = inputs.data_key_path;
    if (path.empty())
        return security_error{"data key path is required"};
    read_outcome r = read_key_file(path);
    if (r.error == ENOENT)
        return create_key_file(path);
    if (r.error != 0)
        return security_error{fmt::format("read data key {}: {}", path.string(), errno_text(r.error))};
    if (r.too_large)
        return security_error{fmt::format("data key file {}: too large to be a key", path.string())};
    return read_existing_key_file(path, r.content);
}

} // namespace cpamd::security
