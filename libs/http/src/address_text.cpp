#include <cpamd/http/address_text.hpp>
#include <fmt/format.h>

namespace cpamd::http
{

std::string address_text(const boost::asio::ip::address& a)
{
    if (!a.is_v4())
        return a.to_string();
    const auto b = a.to_v4().to_bytes();
    return fmt::format("{}.{}.{}.{}", b[0], b[1], b[2], b[3]);
}

} // namespace cpamd::http
