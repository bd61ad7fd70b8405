#pragma once

// The collector plugin boundary (ABI version 1). Bump collector_abi_version on ANY change to this
// file: the loader refuses a plugin whose descriptor does not match the host exactly.
//
// Ownership and lifetime (see docs/collector.md):
//  * The host owns the io_context, the settings and the sink; they outlive every collector.
//  * A plugin creates its ICollector with descriptor.create and the host destroys it with
//    descriptor.destroy (never `delete`), before anything else of the host goes away.
//  * Only integers, enums, string_view (valid for the call), std::string, host-owned interfaces,
//    any_io_executor and awaitables cross the boundary: host and plugins are built with the same
//    compiler, flags and Boost (checked through the descriptor), and a plugin is loaded once and
//    never unloaded.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/version.hpp>
#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace cpamd::collector_api
{

inline constexpr std::uint32_t collector_abi_version = 1;

// Where and how to collect. Host-owned; valid for the collector's whole life.
struct collector_settings
{
    std::string base_url;       // normalized CPA base URL: http://host:port or https://host:port
    std::string management_key; // secret: never log it
    std::string queue = "usage";
    bool pop_left = false; // LPOP instead of RPOP (CPA pops the oldest item either way)
    bool tls_skip_verify = false;
    std::chrono::milliseconds request_timeout{std::chrono::seconds(30)};
};

// What one call of a collector ended with.
enum class outcome_code : std::uint8_t
{
    ok,          // records were taken (pop) or the subscription ended normally (subscribe)
    empty,       // pop: the queue was empty
    unsupported, // this CPA does not offer the transport (HTTP 404/405/501, RESP disabled or absent)
    auth_failed, // the management key was refused (401/403, -ERR invalid management key, ban)
    io_error,    // connect, TLS, protocol or timeout failure: retry with backoff
    lost,        // subscribe: the subscription ended abnormally (peer closed, overflow, dead peer)
    cancelled,   // close() was called
};

struct outcome
{
    outcome_code code = outcome_code::ok;
    std::uint32_t delivered = 0; // records handed to the sink by this call
    std::string message;         // for logs and /status; never contains the key
};

// Where records go. The host implements it: it spools each batch to disk (fsync) before deliver()
// completes, so a popped batch is never lost, then parses and stores it in the background.
class IEventSink
{
public:
    // Hands over raw records exactly as received (JSON text; HTTP items that were JSON strings
    // are passed as the string's JSON text). Completes once they are durable. May throw
    // (disk full): the collector then stops with io_error and must not pop again.
    virtual boost::asio::awaitable<void>
    deliver(std::span<const std::string> records, std::string_view via) = 0;

    // Subscribe transports call this once the subscription is confirmed (the `subscribe` reply
    // arrived); the host then drains what was queued before it (auto mode).
    virtual void subscribed() = 0;

protected:
    ~IEventSink() = default;
};

class ICollector
{
public:
    virtual ~ICollector() = default;

    // "http", "resp" or "subscribe".
    virtual std::string_view transport() const noexcept = 0;

    // Pop transports: take up to `max` records in one request and deliver them to the sink before
    // completing. Returns ok (delivered > 0), empty, or an error outcome. The subscribe transport
    // returns unsupported.
    virtual boost::asio::awaitable<outcome> pop(std::size_t max) = 0;

    // Subscribe transport: connects, authenticates, subscribes, delivers every usage message
    // (control payloads such as {"support_refresh":true} and {"refresh":true} included: the host
    // filters them), keeps the connection alive (PING) and detects a dead peer. Completes when
    // the subscription ends. Pop transports return unsupported.
    virtual boost::asio::awaitable<outcome> subscribe() = 0;

    // Cancels whatever is in progress (any thread); pending calls complete with cancelled.
    virtual void close() = 0;
};

// Everything a plugin gets to create a collector.
struct collector_context
{
    std::uint32_t struct_size = sizeof(collector_context);
    boost::asio::any_io_executor executor; // the daemon's io_context: all I/O runs here
    const collector_settings* settings = nullptr;
    IEventSink* sink = nullptr;
};

// Returned by the plugin's entry point. Compared field by field with the host's own values.
struct collector_descriptor
{
    std::uint32_t abi_version;   // collector_abi_version
    std::uint32_t struct_size;   // sizeof(collector_descriptor)
    std::uint32_t boost_version; // BOOST_VERSION
    std::uint32_t compiler;      // __GNUC__ * 100 + __GNUC_MINOR__ (clang: 100000 + major * 100 + minor)
    const char* name;            // transport name, as ICollector::transport()
    ICollector* (*create)(const collector_context& ctx);
    void (*destroy)(ICollector* c);
};

constexpr std::uint32_t this_compiler() noexcept
{
#if defined(__clang__)
    return 100000u + __clang_major__ * 100u + __clang_minor__;
#elif defined(__GNUC__)
    return __GNUC__ * 100u + __GNUC_MINOR__;
#else
    return 0;
#endif
}

// The descriptor a plugin should return, filled with this build's values.
inline collector_descriptor make_descriptor(
    const char* name, ICollector* (*create)(const collector_context&), void (*destroy)(ICollector*)
) noexcept
{
    return {
        collector_abi_version,
        sizeof(collector_descriptor),
        BOOST_VERSION,
        this_compiler(),
        name,
        create,
        destroy};
}

// The one symbol every plugin exports.
inline constexpr const char* entry_point_name = "cpamd_collector_entry";
using entry_point_fn = const collector_descriptor* (*)();

} // namespace cpamd::collector_api

// Plugins define it with: CPAMD_COLLECTOR_ENTRY { static const auto d = make_descriptor(...); return &d; }
#define CPAMD_COLLECTOR_ENTRY                                                                                \
    extern "C" __attribute__((visibility("default"))) const ::cpamd::collector_api::collector_descriptor*    \
    cpamd_collector_entry()
