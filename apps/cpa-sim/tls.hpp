#pragma once

// Optional TLS: a self-signed certificate made at start with OpenSSL 3 EVP, written as PEM so
// tests can trust it, and CPA's ALPN rule (spec §3.1).

#include <boost/asio/ssl/context.hpp>
#include <string>

namespace cpamd::sim
{

// Builds a server context with a fresh P-256 key and a certificate for 127.0.0.1, ::1 and
// localhost, valid for a day; writes the certificate to `cert_out`. Throws on failure.
boost::asio::ssl::context make_tls_context(const std::string& cert_out);

// True when the handshake negotiated an HTTP protocol by ALPN ("h2" or "http/1.1").
bool alpn_selected_http(SSL* ssl);

} // namespace cpamd::sim
