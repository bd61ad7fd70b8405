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

} // namespace

std::array<unsigned char, 32> sha256(std::string_view data)
{
    std::array<unsigned char, 32> out{};
    unsigned int len = 0;
    if (EVP_Digest(data.data(), data.size(), out.data(), &len, sha256_md(), nullptr) != 1 || len != 32)
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
