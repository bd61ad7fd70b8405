#pragma once

// A message header as one contiguous string, byte for byte what Beast's serializer writes.
//
// Beast's serializer walks the header through a chain of buffer views: profiles of the proxy
// and of small local answers showed that chain as the largest user-space cost after the
// kernel. Written flat, the header and the body go out in one gather write instead.

#include <boost/beast/http/message.hpp>
#include <string>
#include <string_view>

namespace cpamd::http
{

// Appends "<method> <target> HTTP/x.y\r\n", every field, then the blank line.
void append_header(const boost::beast::http::request_header<>& h, std::string& out);

// Appends "HTTP/x.y <code> <reason>\r\n", every field, then the blank line.
void append_header(const boost::beast::http::response_header<>& h, std::string& out);

// The pieces, for writers that build a head field by field (the proxy's):
// "<method> <target> HTTP/1.1\r\n",
void append_request_line(std::string_view method, std::string_view target, std::string& out);
// "HTTP/x.y <code> <reason>\r\n" (the standard reason when `reason` is empty),
void append_status_line(unsigned version, unsigned code, std::string_view reason, std::string& out);
// "<name>: <value>\r\n". The blank line that ends a head is the writer's.
void append_field(std::string_view name, std::string_view value, std::string& out);
// The same for a field of a parsed header, as it stands.
void append_field(const boost::beast::http::fields::value_type& field, std::string& out);

// Appends the framing that precedes one piece of a chunked body: "<size in hex>\r\n".
void append_chunk_size(std::size_t size, std::string& out);

} // namespace cpamd::http
