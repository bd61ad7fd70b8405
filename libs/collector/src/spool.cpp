#include <algorithm>
#include <array>
#include <cerrno>
#include <cpamd/collector/spool.hpp>
#include <cstring>
#include <fcntl.h>
#include <fmt/format.h>
#include <fstream>
#include <iterator>
#include <sys/stat.h>
#include <system_error>
#include <unistd.h>
#include <utility>

namespace cpamd::collector
{
namespace
{

constexpr std::string_view magic = "CPS1";
constexpr std::size_t header_size = 12;

std::system_error sys_error(const std::string& what)
{
    return std::system_error(errno, std::generic_category(), what);
}

void put_u32(std::string& out, std::uint32_t v)
{
    for (int i = 0; i < 4; ++i)
        out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

std::uint32_t get_u32(std::string_view in, std::size_t at)
{
    std::uint32_t v = 0;
    for (int i = 0; i < 4; ++i)
        v |= static_cast<std::uint32_t>(static_cast<unsigned char>(in[at + i])) << (8 * i);
    return v;
}

std::string segment_name(std::uint64_t n)
{
    return fmt::format("{:020}.seg", n);
}

void fsync_dir(const std::filesystem::path& dir)
{
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return;
    ::fsync(fd);
    ::close(fd);
}

// Decodes one frame's payload; false if it is malformed (then the frame counts as corrupt).
bool decode_payload(std::string_view p, spooled_batch& b)
{
    if (p.size() < 6)
        return false;
    std::size_t via_len = static_cast<unsigned char>(p[0]) | (static_cast<unsigned char>(p[1]) << 8);
    if (p.size() < 2 + via_len + 4)
        return false;
    b.via = std::string(p.substr(2, via_len));
    std::size_t at = 2 + via_len;
    std::uint32_t count = get_u32(p, at);
    at += 4;
    for (std::uint32_t i = 0; i < count; ++i)
    {
        if (p.size() - at < 4)
            return false;
        std::uint32_t len = get_u32(p, at);
        at += 4;
        if (p.size() - at < len)
            return false;
        b.records.emplace_back(p.substr(at, len));
        at += len;
    }
    return at == p.size();
}

} // namespace

std::uint32_t crc32(std::string_view data) noexcept
{
    static const auto table = []
    {
        std::array<std::uint32_t, 256> t{};
        for (std::uint32_t i = 0; i < 256; ++i)
        {
            std::uint32_t c = i;
            for (int k = 0; k < 8; ++k)
                c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            t[i] = c;
        }
        return t;
    }();
    std::uint32_t c = 0xFFFFFFFFu;
    for (unsigned char b : data)
        c = table[(c ^ b) & 0xff] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
}

spool::spool(std::filesystem::path dir, std::uint64_t segment_bytes)
    : dir_(std::move(dir)), segment_bytes_(segment_bytes)
{
    std::error_code ec;
    std::filesystem::create_directories(dir_, ec);
    if (ec)
        throw std::system_error(ec, "create spool directory " + dir_.string());
    std::filesystem::permissions(dir_, std::filesystem::perms::owner_all, ec);
    load_existing();
}

spool::~spool()
{
    if (fd_ >= 0)
        ::close(fd_);
}

void spool::load_existing()
{
    std::vector<std::uint64_t> numbers;
    for (const auto& entry : std::filesystem::directory_iterator(dir_))
    {
        auto name = entry.path().filename().string();
        if (name.size() == 24 && name.ends_with(".seg") && name.find_first_not_of("0123456789") == 20)
            numbers.push_back(std::stoull(name.substr(0, 20)));
    }
    std::sort(numbers.begin(), numbers.end());
    for (auto n : numbers)
    {
        auto path = dir_ / segment_name(n);
        std::ifstream in(path, std::ios::binary);
        std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        if (!in.eof() && in.fail())
            throw sys_error("read spool segment " + path.string());
        std::size_t at = 0;
        std::size_t found = 0;
        while (at < data.size())
        {
            std::string_view rest(data.data() + at, data.size() - at);
            if (rest.size() < header_size || rest.substr(0, 4) != magic)
                break;
            std::uint32_t len = get_u32(rest, 4);
            if (rest.size() - header_size < len)
                break;
            auto payload = rest.substr(header_size, len);
            if (crc32(payload) != get_u32(rest, 8))
                break;
            spooled_batch b;
            if (!decode_payload(payload, b))
                break;
            b.id = next_id_++;
            segment_of_[b.id] = n;
            ++pending_per_segment_[n];
            recovered_.batches.push_back(std::move(b));
            ++found;
            at += header_size + len;
        }
        if (at < data.size())
        {
            // A crash mid-append leaves a torn last frame; nothing after it can be trusted.
            recovered_.dropped_bytes += data.size() - at;
            recovered_.warnings.push_back(fmt::format(
                "spool: dropped a torn or corrupt tail of {} bytes at offset {} in {}",
                data.size() - at,
                at,
                path.string()
            ));
            std::filesystem::resize_file(path, at);
        }
        if (found == 0)
            std::filesystem::remove(path);
        active_ = n;
    }
    open_segment(active_ + 1);
}

void spool::open_segment(std::uint64_t number)
{
    auto path = dir_ / segment_name(number);
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0)
        throw sys_error("create spool segment " + path.string());
    fsync_dir(dir_);
    if (fd_ >= 0)
    {
        ::close(fd_);
        if (pending_per_segment_[active_] == 0)
            release(active_);
    }
    fd_ = fd;
    active_ = number;
    active_size_ = 0;
    pending_per_segment_.try_emplace(active_, 0);
}

spool_recovery spool::take_recovered()
{
    std::lock_guard lock(mutex_);
    return std::exchange(recovered_, {});
}

std::uint64_t spool::append(std::span<const std::string> records, std::string_view via)
{
    std::string payload;
    std::size_t total = 2 + via.size() + 4;
    for (const auto& r : records)
        total += 4 + r.size();
    payload.reserve(total);
    payload.push_back(static_cast<char>(via.size() & 0xff));
    payload.push_back(static_cast<char>((via.size() >> 8) & 0xff));
    payload.append(via);
    put_u32(payload, static_cast<std::uint32_t>(records.size()));
    for (const auto& r : records)
    {
        put_u32(payload, static_cast<std::uint32_t>(r.size()));
        payload.append(r);
    }
    std::string frame(magic);
    put_u32(frame, static_cast<std::uint32_t>(payload.size()));
    put_u32(frame, crc32(payload));
    frame.append(payload);

    std::lock_guard lock(mutex_);
    if (active_size_ > 0 && active_size_ + frame.size() > segment_bytes_)
        open_segment(active_ + 1);
    std::size_t done = 0;
    while (done < frame.size())
    {
        auto n = ::write(fd_, frame.data() + done, frame.size() - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
        {
            auto err = sys_error("append to spool " + (dir_ / segment_name(active_)).string());
            if (::ftruncate(fd_, static_cast<off_t>(active_size_)) != 0)
            {
                // Nothing more to do: the torn frame is dropped on the next start.
            }
            throw err;
        }
        done += static_cast<std::size_t>(n);
    }
    if (::fdatasync(fd_) != 0)
    {
        auto err = sys_error("fdatasync spool");
        (void)::ftruncate(fd_, static_cast<off_t>(active_size_));
        throw err;
    }
    active_size_ += frame.size();
    auto id = next_id_++;
    segment_of_[id] = active_;
    ++pending_per_segment_[active_];
    return id;
}

void spool::release(std::uint64_t segment)
{
    pending_per_segment_.erase(segment);
    std::error_code ec;
    std::filesystem::remove(dir_ / segment_name(segment), ec);
}

void spool::commit(std::span<const std::uint64_t> ids)
{
    std::lock_guard lock(mutex_);
    for (auto id : ids)
    {
        auto it = segment_of_.find(id);
        if (it == segment_of_.end())
            continue;
        auto seg = it->second;
        segment_of_.erase(it);
        if (--pending_per_segment_[seg] != 0)
            continue;
        if (seg != active_)
            release(seg);
        else if (::ftruncate(fd_, 0) == 0)
            active_size_ = 0; // everything in it is stored: start the file over
    }
}

std::size_t spool::depth() const
{
    std::lock_guard lock(mutex_);
    return segment_of_.size();
}

} // namespace cpamd::collector
