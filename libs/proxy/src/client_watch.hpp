#pragma once

// Internal: notices a client that hangs up while its request waits on CPA (a long poll, a quiet
// event stream), so the upstream request is cancelled instead of running to its end for nobody.
// While armed it waits for the client socket to turn readable: end-of-file or an error means the
// client is gone; a byte means it pipelined its next request, which is not ours to read, so the
// watch ends. Runs on the socket's executor (the session's strand), as the relay does.

#include <boost/asio/ip/tcp.hpp>
#include <cerrno>
#include <functional>
#include <memory>
#include <sys/socket.h>

namespace cpamd::proxy::detail
{

class client_watch
{
public:
    client_watch(boost::asio::ip::tcp::socket& client, std::function<void()> on_gone)
        : state_(std::make_shared<state>(client, std::move(on_gone)))
    {
    }
    ~client_watch() { stop(); }
    client_watch(const client_watch&) = delete;
    client_watch& operator=(const client_watch&) = delete;

    void start()
    {
        state_->stopped = false;
        if (!state_->waiting)
            wait(state_);
    }

    void stop()
    {
        state_->stopped = true;
        if (state_->waiting)
        {
            boost::system::error_code ignored;
            state_->client.cancel(ignored); // nothing else is pending on it while we relay
        }
    }

    bool gone() const { return state_->gone; }

private:
    struct state
    {
        state(boost::asio::ip::tcp::socket& c, std::function<void()> f) : client(c), on_gone(std::move(f)) {}
        boost::asio::ip::tcp::socket& client;
        std::function<void()> on_gone;
        bool waiting = false;
        bool stopped = false;
        bool gone = false;
    };

    static void wait(const std::shared_ptr<state>& st)
    {
        st->waiting = true;
        st->client.async_wait(
            boost::asio::ip::tcp::socket::wait_read,
            [st](const boost::system::error_code& ec)
            {
                st->waiting = false;
                if (st->stopped || ec)
                    return;
                char probe;
                auto n = ::recv(st->client.native_handle(), &probe, 1, MSG_PEEK | MSG_DONTWAIT);
                if (n > 0)
                    return; // a pipelined request: the client is still there
                if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
                    return wait(st);
                st->gone = true;
                if (st->on_gone)
                    st->on_gone();
            }
        );
    }

    std::shared_ptr<state> state_;
};

} // namespace cpamd::proxy::detail
