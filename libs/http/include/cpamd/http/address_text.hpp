#pragma once

// A client address as text, the same as Asio's to_string(). IPv4 addresses skip Asio's way
// (inet_ntop, then sprintf), measurable when done on every request: the admin gate's throttle
// key and the proxy's X-Forwarded-For both need one.

#include <boost/asio/ip/address.hpp>
#include <string>

namespace cpamd::http
{

std::string address_text(const boost::asio::ip::address& a);

// The client an address stands for, as text: IPv4 (also v4-mapped) as is, IPv6 by its /64 (one
// host owns a whole /64, and could rotate through it). Keys the auth throttle and the
// per-address connection cap.
std::string address_group(const boost::asio::ip::address& a);

} // namespace cpamd::http
