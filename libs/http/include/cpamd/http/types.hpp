#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

namespace cpamd::http
{

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

using response = bhttp::response<bhttp::string_body>;
using request_header = bhttp::request_header<>;

// Every operation returns [ec, ...] instead of throwing: expected outcomes are values.
inline constexpr auto use_nothrow = asio::as_tuple(asio::use_awaitable);

} // namespace cpamd::http
