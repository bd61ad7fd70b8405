#pragma once

// Internal: the short names this library's networking code is written with, declared once rather
// than at the top of every file.

#include <cpamd/http/types.hpp>

// Declared so that the `ssl` alias below needs no SSL header.
namespace boost::asio::ssl
{
}

namespace cpamd::proxy
{

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
namespace ssl = asio::ssl;
using http::use_nothrow;

} // namespace cpamd::proxy
