#include <algorithm>
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

std::string address_group(const boost::asio::ip::address& a)
{
    if (!a.is_v6())
        return address_text(a);
    const auto v6 = a.to_v6();
    if (v6.is_v4_mapped())
        return address_text(boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, v6));
    auto bytes = v6.to_bytes();
    std::fill(bytes.begin() + 8, bytes.end(), 0);
    return boost::asio::ip::address_v6(bytes).to_string() + "/64";
}

} // namespace cpamd::http
