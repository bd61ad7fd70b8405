#include <boost/asio/ip/address.hpp>
#include <charconv>
#include <cpamd/core/listen_address.hpp>

namespace cpamd
{

std::string listen_address::to_string() const
{
    if (host.find(':') != std::string::npos)
        return "[" + host + "]:" + std::to_string(port);
    return host + ":" + std::to_string(port);
}

std::optional<listen_address> parse_listen_address(std::string_view text, std::string& why)
{
    std::string_view host, port;
    if (!text.empty() && text.front() == '[')
    {
        auto close = text.find(']');
        if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':')
        {
            why = "expected [ipv6]:port";
            return std::nullopt;
        }
        host = text.substr(1, close - 1);
        port = text.substr(close + 2);
    }
    else
    {
        auto colon = text.rfind(':');
        if (colon == std::string_view::npos)
        {
            why = "expected host:port";
            return std::nullopt;
        }
        host = text.substr(0, colon);
        port = text.substr(colon + 1);
        if (host.find(':') != std::string_view::npos)
        {
            why = "an IPv6 host must be written in brackets, e.g. [::1]:18317";
            return std::nullopt;
        }
    }
    unsigned value = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (port.empty() || ec != std::errc{} || end != port.data() + port.size() || value > 65535)
    {
        why = "port must be a number from 0 to 65535";
        return std::nullopt;
    }
    listen_address out;
    out.port = static_cast<std::uint16_t>(value);
    if (host == "localhost")
        out.host = "127.0.0.1";
    else if (!host.empty())
    {
        boost::system::error_code ec2;
        auto addr = boost::asio::ip::make_address(std::string(host), ec2);
        if (ec2)
        {
            why = "host must be an IP address (or localhost)";
            return std::nullopt;
        }
        out.host = addr.to_string();
    }
    return out;
}

} // namespace cpamd
