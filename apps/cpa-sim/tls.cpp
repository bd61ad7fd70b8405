#include "tls.hpp"

#include <cstdio>
#include <memory>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdexcept>
#include <string_view>

namespace cpamd::sim
{
namespace
{

template <class T, void (*F)(T*)>
struct deleter
{
    void operator()(T* p) const { F(p); }
};
using pkey_ptr = std::unique_ptr<EVP_PKEY, deleter<EVP_PKEY, EVP_PKEY_free>>;
using x509_ptr = std::unique_ptr<X509, deleter<X509, X509_free>>;
using ext_ptr = std::unique_ptr<X509_EXTENSION, deleter<X509_EXTENSION, X509_EXTENSION_free>>;

void check(bool ok, const char* what)
{
    if (!ok)
        throw std::runtime_error(std::string("tls: ") + what);
}

// Server side ALPN: pick http/1.1 when offered (the simulator speaks no h2); otherwise no ALPN,
// and the first byte decides like CPA.
int select_alpn(SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in, unsigned int inlen, void*)
{
    static const unsigned char http11[] = {'h', 't', 't', 'p', '/', '1', '.', '1'};
    for (unsigned int i = 0; i < inlen;)
    {
        unsigned int len = in[i];
        if (i + 1 + len > inlen)
            break;
        if (std::string_view(reinterpret_cast<const char*>(in + i + 1), len) == "http/1.1")
        {
            *out = http11;
            *outlen = sizeof http11;
            return SSL_TLSEXT_ERR_OK;
        }
        i += 1 + len;
    }
    return SSL_TLSEXT_ERR_NOACK;
}

} // namespace

boost::asio::ssl::context make_tls_context(const std::string& cert_out)
{
    pkey_ptr key(EVP_EC_gen("P-256"));
    check(key != nullptr, "EVP_EC_gen");

    x509_ptr cert(X509_new());
    check(cert != nullptr, "X509_new");
    X509_set_version(cert.get(), 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), static_cast<long>(std::time(nullptr)));
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 3600);
    X509_set_pubkey(cert.get(), key.get());
    X509_NAME* name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(
        name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("cpa-sim"), -1, -1, 0
    );
    X509_set_issuer_name(cert.get(), name);

    X509V3_CTX v3;
    X509V3_set_ctx_nodb(&v3);
    X509V3_set_ctx(&v3, cert.get(), cert.get(), nullptr, nullptr, 0);
    for (auto [nid, value] :
         {std::pair{NID_subject_alt_name, "IP:127.0.0.1,IP:::1,DNS:localhost"},
          std::pair{NID_basic_constraints, "critical,CA:TRUE"}})
    {
        ext_ptr ext(X509V3_EXT_conf_nid(nullptr, &v3, nid, value));
        check(ext != nullptr, "X509V3_EXT_conf_nid");
        X509_add_ext(cert.get(), ext.get(), -1);
    }
    check(X509_sign(cert.get(), key.get(), EVP_sha256()) > 0, "X509_sign");

    std::FILE* f = std::fopen(cert_out.c_str(), "w");
    check(f != nullptr, "cannot write --tls-cert-out");
    bool written = PEM_write_X509(f, cert.get()) == 1;
    std::fclose(f);
    check(written, "PEM_write_X509");

    boost::asio::ssl::context ctx(boost::asio::ssl::context::tls_server);
    ctx.set_options(
        boost::asio::ssl::context::default_workarounds | boost::asio::ssl::context::no_sslv2 |
        boost::asio::ssl::context::no_sslv3
    );
    check(SSL_CTX_use_certificate(ctx.native_handle(), cert.get()) == 1, "use certificate");
    check(SSL_CTX_use_PrivateKey(ctx.native_handle(), key.get()) == 1, "use key");
    SSL_CTX_set_alpn_select_cb(ctx.native_handle(), select_alpn, nullptr);
    return ctx;
}

bool alpn_selected_http(SSL* ssl)
{
    const unsigned char* p = nullptr;
    unsigned int len = 0;
    SSL_get0_alpn_selected(ssl, &p, &len);
    std::string_view proto(reinterpret_cast<const char*>(p), p ? len : 0);
    return proto == "h2" || proto == "http/1.1";
}

} // namespace cpamd::sim
