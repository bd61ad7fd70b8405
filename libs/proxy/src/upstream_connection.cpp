#include <cerrno>
#include <cpamd/proxy/upstream_connection.hpp>
#include <sys/socket.h>

namespace cpamd::proxy
{
namespace
{

constexpr auto recently_used = std::chrono::seconds(1);

} // namespace

upstream_connection::upstream_connection(std::string pool_key, plain_stream s)
    : pool_key_(std::move(pool_key)), stream_(std::move(s))
{
}

upstream_connection::upstream_connection(std::string pool_key, tls_stream s)
    : pool_key_(std::move(pool_key)), stream_(std::move(s))
{
}

boost::asio::ip::tcp::socket& upstream_connection::socket()
{
    if (auto* p = std::get_if<plain_stream>(&stream_))
        return *p;
    return std::get<tls_stream>(stream_).next_layer();
}

bool upstream_connection::looks_alive()
{
    auto& s = socket();
    if (!s.is_open() || buffer_.size() != 0)
        return false;
    // An idle HTTP connection has nothing to read: a byte means the peer closed (EOF, a TLS
    // close_notify) or broke protocol; EAGAIN means it is still there.
    char probe;
    auto n = ::recv(s.native_handle(), &probe, 1, MSG_PEEK | MSG_DONTWAIT);
    return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

void upstream_connection::close()
{
    boost::system::error_code ignored;
    socket().shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
    socket().close(ignored);
}

upstream_pool::upstream_pool(std::size_t max_idle, std::chrono::seconds idle_ttl)
    : max_idle_(max_idle), idle_ttl_(idle_ttl)
{
}

upstream_pool::~upstream_pool()
{
    for (auto& [key, list] : idle_)
        for (auto& c : list)
            c->close();
}

std::unique_ptr<upstream_connection> upstream_pool::take(const std::string& key)
{
    const auto now = std::chrono::steady_clock::now();
    std::vector<std::unique_ptr<upstream_connection>> stale;
    std::unique_ptr<upstream_connection> found;
    {
        std::lock_guard lock(mutex_);
        auto it = idle_.find(key);
        if (it == idle_.end())
            return nullptr;
        auto& list = it->second;
        // Most recently used first: it is the least likely to have been closed by CPA.
        while (!list.empty() && !found)
        {
            auto c = std::move(list.back());
            list.pop_back();
            --count_;
            // A connection used a moment ago is taken on trust (a failure is retried anyway);
            // an older one is probed first, as CPA may have closed it meanwhile.
            const auto idle = now - c->idle_since;
            if (idle < idle_ttl_ && (idle < recently_used || c->looks_alive()))
                found = std::move(c);
            else
                stale.push_back(std::move(c));
        }
    }
    for (auto& c : stale)
        c->close();
    if (found)
        found->reused = true;
    return found;
}

void upstream_pool::give_back(std::unique_ptr<upstream_connection> c)
{
    c->idle_since = std::chrono::steady_clock::now();
    {
        std::lock_guard lock(mutex_);
        if (count_ < max_idle_)
        {
            idle_[c->pool_key()].push_back(std::move(c));
            ++count_;
            return;
        }
    }
    c->close();
}

std::size_t upstream_pool::idle_count() const
{
    std::lock_guard lock(mutex_);
    return count_;
}

} // namespace cpamd::proxy
