#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cpamd
{

// A parsed HTTP_ADDR: "host:port", "[v6]:port" or ":port" (all interfaces, as Go accepts).
struct listen_address
{
    std::string host; // an IP literal; "" means all interfaces
    std::uint16_t port = 0;

    std::string to_string() const;
};

// Returns nullopt and sets `why` when `text` is not an address we can bind.
std::optional<listen_address> parse_listen_address(std::string_view text, std::string& why);

} // namespace cpamd
