// Bodies stream through the proxy both ways with bounded memory, events are not held back, and a
// CPA that dies mid-body cuts the client off instead of leaving it hanging.

#include "proxy_fixture.hpp"

#include <atomic>
#include <boost/asio/buffers_iterator.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <catch2/catch.hpp>
#include <csignal>
#include <cstdio>
#include <iostream>
#include <mutex>
#include <regex>
#include <thread>
#include <vector>

using namespace cpamd::test;
using namespace std::chrono_literals;

namespace
{

constexpr std::uint64_t mib = 1024 * 1024;

// Peak memory is meaningless under AddressSanitizer (its quarantine keeps freed blocks).
#if defined(__SANITIZE_ADDRESS__)
constexpr bool measure_memory = false;
#else
constexpr bool measure_memory = true;
#endif

// Prints cpamd's peak RSS since `before` and, outside ASan, requires it within 20 MiB of it.
void check_memory_growth(running_daemon& d, const process_memory& before, const char* what)
{
    const auto after = read_process_memory(d.process().pid());
    std::cout << "proxy " << what << ": cpamd RSS " << before.rss / mib << " MiB before, peak "
              << after.peak / mib << " MiB\n";
    if (measure_memory)
        CHECK(after.peak < before.rss + 20 * mib);
}

std::int64_t unix_ms_now()
{
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch()
    )
        .count();
}

std::string fmt_hex(std::uint64_t v)
{
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
    return buf;
}

} // namespace

TEST_CASE("a 200 MB download streams through with bounded memory")
{
    temp_dir dir;
    sim_process sim;
    auto d = start_proxy_daemon(dir, sim.url());
    const auto before = read_process_memory(d->process().pid());

    const std::uint64_t size = 200 * mib;
    stream_client c(d->port(), 30s);
    c.send("GET", "/v0/management/sim/download?bytes=" + std::to_string(size), admin_headers());
    REQUIRE(c.read_header() == 200);
    CHECK(c.header("Content-Length") == std::to_string(size));
    std::uint64_t received = 0;
    bool pattern_ok = true;
    while (auto piece = c.read_piece())
    {
        for (std::size_t i = 0; i < piece->size() && pattern_ok; i += 4093)
            pattern_ok = (*piece)[i] == static_cast<char>('a' + (received + i) % 26);
        received += piece->size();
    }
    CHECK_FALSE(c.cut());
    CHECK(received == size);
    CHECK(pattern_ok);

    check_memory_growth(*d, before, "download 200 MiB");
    stop_daemon(*d);
}

TEST_CASE("a 50 MB upload streams through with bounded memory")
{
    temp_dir dir;
    sim_process sim;
    auto d = start_proxy_daemon(dir, sim.url());
    const auto before = read_process_memory(d->process().pid());

    const std::uint64_t size = 50 * mib;
    std::uint64_t produced = 0;
    std::uint64_t fnv = 14695981039346656037ull;
    auto source = [&](char* out, std::size_t n)
    {
        for (std::size_t i = 0; i < n; ++i)
        {
            out[i] = static_cast<char>('A' + (produced + i) * 7 % 53);
            fnv = (fnv ^ static_cast<unsigned char>(out[i])) * 1099511628211ull;
        }
        produced += n;
        return n;
    };
    stream_client c(d->port(), 30s);
    auto headers = admin_headers();
    headers["Content-Type"] = "application/octet-stream";
    c.send("PUT", "/v0/management/sim/upload", headers, size, source);
    REQUIRE(c.read_header() == 200);
    std::string body;
    while (auto piece = c.read_piece())
        body += *piece;
    auto v = parse(body);
    CHECK(v.at("bytes").as_int64() == static_cast<std::int64_t>(size));
    CHECK(v.at("fnv1a").as_string() == fmt_hex(fnv));

    check_memory_growth(*d, before, "upload 50 MiB");
    stop_daemon(*d);
}

TEST_CASE("server-sent events pass as they are sent")
{
    temp_dir dir;
    sim_process sim;
    auto d = start_proxy_daemon(dir, sim.url());
    stream_client c(d->port(), 10s);
    c.send("GET", "/v0/management/sim/sse?count=6&interval-ms=250", admin_headers());
    REQUIRE(c.read_header() == 200);
    CHECK(c.header("Content-Type") == "text/event-stream");

    static const std::regex stamp(R"("t":(\d+))");
    std::string pending;
    int events = 0;
    std::int64_t worst = 0;
    while (auto piece = c.read_piece())
    {
        const auto arrived = unix_ms_now();
        pending += *piece;
        for (std::size_t end; (end = pending.find("\n\n")) != std::string::npos;)
        {
            std::smatch m;
            auto event = pending.substr(0, end);
            pending.erase(0, end + 2);
            REQUIRE(std::regex_search(event, m, stamp));
            worst = std::max<std::int64_t>(worst, arrived - std::stoll(m[1]));
            ++events;
        }
    }
    CHECK(events == 6);
    std::cout << "proxy SSE: worst delay from write to arrival " << worst << " ms\n";
    CHECK(worst < 50);
    stop_daemon(*d);
}

TEST_CASE("CPA killed mid-download: the client is cut off, not left hanging")
{
    temp_dir dir;
    auto sim = std::make_unique<sim_process>();
    auto d = start_proxy_daemon(dir, sim->url());
    stream_client c(d->port(), 10s);
    c.send("GET", "/v0/management/sim/download?bytes=" + std::to_string(2048 * mib), admin_headers());
    REQUIRE(c.read_header() == 200);
    std::uint64_t received = 0;
    while (auto piece = c.read_piece())
    {
        received += piece->size();
        if (received > 8 * mib && sim->process().running())
            sim->process().signal(SIGKILL);
    }
    CHECK(c.cut());
    CHECK(received < 2048 * mib);

    // The daemon is fine and says why the next call fails.
    auto r = d->client().get("/v0/management/config", admin_headers());
    CHECK(r.status == 502);
    stop_daemon(*d);
}

TEST_CASE("a client leaving a quiet event stream is noticed before the next event")
{
    temp_dir dir;
    sim_process sim;
    auto d = start_proxy_daemon(dir, sim.url());
    auto aborts = [&] { return proxy_client_aborts(*d); };
    {
        stream_client c(d->port(), 10s);
        c.send("GET", "/v0/management/sim/sse?count=3&interval-ms=5000", admin_headers());
        REQUIRE(c.read_header() == 200);
        REQUIRE(c.read_piece()); // the first event; the next is 5 s away
    }
    auto deadline = std::chrono::steady_clock::now() + 2s;
    while (aborts() != 1 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(50ms);
    CHECK(aborts() == 1);
    stop_daemon(*d);
}

namespace
{

// A stand-in for CPA that frames its answers in ways cpa-sim does not: each connection gets one
// answer, written in two pieces 50 ms apart, then is closed. One thread per connection: the
// daemon's collector calls too (in RESP as well) and may never send an HTTP head.
class framing_upstream
{
public:
    framing_upstream() : acceptor_(ioc_, {boost::asio::ip::make_address("127.0.0.1"), 0})
    {
        accepting_ = std::thread([this] { accept_loop(); });
    }
    ~framing_upstream()
    {
        stopping_ = true;
        boost::system::error_code ignored;
        boost::asio::ip::tcp::socket wake(ioc_);
        wake.connect(acceptor_.local_endpoint(), ignored); // unblocks accept()
        accepting_.join();
        {
            std::lock_guard lock(mutex_);
            for (auto& c : connections_)
                c->shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored); // unblocks reads
        }
        for (auto& t : serving_)
            t.join();
    }
    std::string url() const
    {
        return "http://127.0.0.1:" + std::to_string(acceptor_.local_endpoint().port());
    }

private:
    void accept_loop()
    {
        while (!stopping_)
        {
            auto s = std::make_shared<boost::asio::ip::tcp::socket>(ioc_);
            boost::system::error_code ec;
            acceptor_.accept(*s, ec);
            if (ec || stopping_)
                return;
            std::lock_guard lock(mutex_);
            connections_.push_back(s);
            serving_.emplace_back([s] { answer(*s); });
        }
    }

    static void answer(boost::asio::ip::tcp::socket& s)
    {
        boost::system::error_code ec;
        boost::asio::streambuf request;
        boost::asio::read_until(s, request, "\r\n\r\n", ec);
        if (ec)
            return;
        const std::string head(
            boost::asio::buffers_begin(request.data()), boost::asio::buffers_end(request.data())
        );
        std::pair<std::string, std::string> answer{
            "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", ""};
        if (head.find(" /v0/management/ends-with-close ") != std::string::npos)
            answer = {
                "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nfirst half, ",
                "second half"};
        else if (head.find(" /v0/management/split-chunks ") != std::string::npos)
            answer = {
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel",
                "lo\r\n6\r\n world\r\n0\r\n\r\n"};
        boost::asio::write(s, boost::asio::buffer(answer.first), ec);
        std::this_thread::sleep_for(50ms);
        boost::asio::write(s, boost::asio::buffer(answer.second), ec);
        s.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
    }

    boost::asio::io_context ioc_;
    boost::asio::ip::tcp::acceptor acceptor_;
    std::atomic<bool> stopping_{false};
    std::thread accepting_;
    std::mutex mutex_;
    std::vector<std::shared_ptr<boost::asio::ip::tcp::socket>> connections_;
    std::vector<std::thread> serving_;
};

} // namespace

TEST_CASE("answers that end with CPA's connection, and chunks split across reads, arrive whole")
{
    framing_upstream cpa;
    temp_dir dir;
    auto d = start_proxy_daemon(dir, cpa.url());
    auto c = d->client(10s);

    auto closed = c.get("/v0/management/ends-with-close", admin_headers());
    CHECK(closed.status == 200);
    CHECK(closed.body == "first half, second half");

    auto chunked = d->client(10s).get("/v0/management/split-chunks", admin_headers());
    CHECK(chunked.status == 200);
    CHECK(chunked.body == "hello world");
    stop_daemon(*d);
}
