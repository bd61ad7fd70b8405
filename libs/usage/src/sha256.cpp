#include <cpamd/core/hex.hpp>
#include <cpamd/usage/sha256.hpp>
#include <openssl/evp.h>
#include <stdexcept>

namespace cpamd::usage
{

namespace
{

// Fetched once: an implicit fetch on every EVP_Digest call is measurably slower in OpenSSL 3.
const EVP_MD* sha256_md()
{
    static EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (md == nullptr)
        throw std::runtime_error("OpenSSL: SHA256 unavailable");
    return md;
}

// One context per thread, reused: EVP_Digest allocates and frees a context on every call, which
// cost more than the hashing itself for our short inputs (callgrind, bench-ingest).
EVP_MD_CTX* thread_context()
{
    struct holder
    {
        EVP_MD_CTX* ctx = EVP_MD_CTX_new();
        ~holder() { EVP_MD_CTX_free(ctx); }
    };
    thread_local holder h;
    if (h.ctx == nullptr)
        throw std::runtime_error("OpenSSL: cannot allocate a digest context");
    return h.ctx;
}

} // namespace

std::array<unsigned char, 32> sha256(std::string_view data)
{
    std::array<unsigned char, 32> out{};
    unsigned int len = 0;
    EVP_MD_CTX* ctx = thread_context();
    if (EVP_DigestInit_ex2(ctx, sha256_md(), nullptr) != 1 ||
        EVP_DigestUpdate(ctx, data.data(), data.size()) != 1 ||
        EVP_DigestFinal_ex(ctx, out.data(), &len) != 1 || len != 32)
        throw std::runtime_error("OpenSSL: SHA256 failed");
    return out;
}

std::string to_hex(const unsigned char* data, std::size_t size)
{
    return hex::encode(std::string_view(reinterpret_cast<const char*>(data), size));
}

std::string sha256_hex(std::string_view data)
{
    auto d = sha256(data);
    return to_hex(d.data(), d.size());
}

} // namespace cpamd::usage
