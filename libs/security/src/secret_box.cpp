#include <climits>
#include <cpamd/security/base64.hpp>
#include <cpamd/security/primitives.hpp>
#include <cpamd/security/secret_box.hpp>
#include <cpamd/security/text.hpp>
#include <memory>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <stdexcept>

namespace cpamd::security
{

namespace
{

constexpr std::string_view hkdf_salt = "cpa-manager-plus";
constexpr std::string_view hkdf_info = "settings-secrets-v1";
constexpr std::string_view aad = "settings-secret";
constexpr std::size_t aes_key_size = 32;

// A failed tag check leaves an entry on the thread's OpenSSL error queue; drop it so it is not
// blamed on some later, unrelated call.
security_error decrypt_failed()
{
    ERR_clear_error();
    return security_error{std::string(decrypt_failed_message)};
}

struct cipher_deleter
{
    void operator()(EVP_CIPHER* p) const noexcept { EVP_CIPHER_free(p); }
    void operator()(EVP_CIPHER_CTX* p) const noexcept { EVP_CIPHER_CTX_free(p); }
};
using cipher_ptr = std::unique_ptr<EVP_CIPHER, cipher_deleter>;
using cipher_ctx_ptr = std::unique_ptr<EVP_CIPHER_CTX, cipher_deleter>;

// Fetched once: an EVP_CIPHER is immutable and safe to share between threads.
const EVP_CIPHER* aes_256_gcm()
{
    static const cipher_ptr cipher = []
    {
        cipher_ptr c(EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr));
        if (!c)
            detail::throw_openssl("EVP_CIPHER_fetch AES-256-GCM");
        return c;
    }();
    return cipher.get();
}

cipher_ctx_ptr new_ctx()
{
    cipher_ctx_ptr ctx(EVP_CIPHER_CTX_new());
    if (!ctx)
        detail::throw_openssl("EVP_CIPHER_CTX_new");
    return ctx;
}

int as_int_len(std::size_t n)
{
    if (n > static_cast<std::size_t>(INT_MAX))
        throw std::length_error("secret too large");
    return static_cast<int>(n);
}

} // namespace

bool is_encrypted(std::string_view stored) noexcept
{
    return trim_space(stored).starts_with(encrypted_prefix);
}

secret_box::secret_box(std::span<const unsigned char> data_key)
{
    if (data_key.empty())
        throw std::invalid_argument("secret_box: data key is required");
    key_ = hkdf_sha256(data_key, hkdf_salt, hkdf_info, aes_key_size);
}

std::string secret_box::encrypt(std::string_view plaintext) const
{
    std::array<unsigned char, secret_box_nonce_size> nonce{};
    random_bytes(nonce);
    return seal(trim_space(plaintext), nonce);
}

std::string secret_box::encrypt_if_needed(std::string_view value) const
{
    const std::string_view v = trim_space(value);
    if (v.empty() || v.starts_with(encrypted_prefix))
        return std::string(v);
    return encrypt(v);
}

std::string secret_box::encrypt_with_nonce_for_testing(
    std::string_view plaintext, std::span<const unsigned char, secret_box_nonce_size> nonce
) const
{
    return seal(trim_space(plaintext), nonce);
}

std::string secret_box::seal(
    std::string_view plaintext, std::span<const unsigned char, secret_box_nonce_size> nonce
) const
{
    cipher_ctx_ptr ctx = new_ctx();
    if (EVP_EncryptInit_ex2(ctx.get(), aes_256_gcm(), key_.data(), nonce.data(), nullptr) != 1)
        detail::throw_openssl("EVP_EncryptInit_ex2");
    int len = 0;
    if (EVP_EncryptUpdate(
            ctx.get(),
            nullptr,
            &len,
            reinterpret_cast<const unsigned char*>(aad.data()),
            as_int_len(aad.size())
        ) != 1)
        detail::throw_openssl("EVP_EncryptUpdate (AAD)");

    // ciphertext || tag, exactly as Go's AEAD.Seal lays it out. GCM is a stream mode: the
    // ciphertext is as long as the plaintext.
    secret_bytes sealed(plaintext.size() + secret_box_tag_size);
    std::size_t out_len = 0;
    if (!plaintext.empty())
    {
        if (EVP_EncryptUpdate(
                ctx.get(),
                sealed.data(),
                &len,
                reinterpret_cast<const unsigned char*>(plaintext.data()),
                as_int_len(plaintext.size())
            ) != 1)
            detail::throw_openssl("EVP_EncryptUpdate");
        out_len = static_cast<std::size_t>(len);
    }
    if (EVP_EncryptFinal_ex(ctx.get(), sealed.data() + out_len, &len) != 1)
        detail::throw_openssl("EVP_EncryptFinal_ex");
    out_len += static_cast<std::size_t>(len);
    if (out_len != plaintext.size())
        detail::throw_openssl("AES-GCM output length");

    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_octet_string(
            OSSL_CIPHER_PARAM_AEAD_TAG, sealed.data() + out_len, secret_box_tag_size
        ),
        OSSL_PARAM_construct_end(),
    };
    if (EVP_CIPHER_CTX_get_params(ctx.get(), params) != 1)
        detail::throw_openssl("EVP_CIPHER_CTX_get_params (tag)");

    std::string out;
    out.reserve(encrypted_prefix.size() + 16 + 1 + (sealed.size() + 2) / 3 * 4);
    out.append(encrypted_prefix);
    out.append(base64_encode(nonce, base64_variant::raw_std));
    out.push_back(':');
    out.append(base64_encode(sealed.bytes(), base64_variant::raw_std));
    return out;
}

result<opened_secret> secret_box::decrypt(std::string_view stored) const
{
    const std::string_view v = trim_space(stored);
    if (v.empty() || !v.starts_with(encrypted_prefix))
        return opened_secret{secret_string(v), true};

    const std::string_view payload = v.substr(encrypted_prefix.size());
    const std::size_t colon = payload.find(':');
    if (colon == std::string_view::npos || payload.find(':', colon + 1) != std::string_view::npos)
        return security_error{"invalid encrypted secret format"};
    auto nonce = base64_decode(payload.substr(0, colon), base64_variant::raw_std);
    if (!nonce)
        return nonce.error();
    auto sealed = base64_decode(payload.substr(colon + 1), base64_variant::raw_std);
    if (!sealed)
        return sealed.error();

    // Go's GCM would panic on a wrong nonce size; here it is just a damaged value.
    if (nonce->size() != secret_box_nonce_size || sealed->size() < secret_box_tag_size)
        return security_error{std::string(decrypt_failed_message)};

    const std::size_t ct_size = sealed->size() - secret_box_tag_size;
    cipher_ctx_ptr ctx = new_ctx();
    if (EVP_DecryptInit_ex2(ctx.get(), aes_256_gcm(), key_.data(), nonce->data(), nullptr) != 1)
        detail::throw_openssl("EVP_DecryptInit_ex2");
    int len = 0;
    if (EVP_DecryptUpdate(
            ctx.get(),
            nullptr,
            &len,
            reinterpret_cast<const unsigned char*>(aad.data()),
            as_int_len(aad.size())
        ) != 1)
        detail::throw_openssl("EVP_DecryptUpdate (AAD)");

    secret_bytes plain(ct_size);
    std::size_t out_len = 0;
    if (ct_size != 0)
    {
        if (EVP_DecryptUpdate(ctx.get(), plain.data(), &len, sealed->data(), as_int_len(ct_size)) != 1)
            return decrypt_failed();
        out_len = static_cast<std::size_t>(len);
    }
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_octet_string(
            OSSL_CIPHER_PARAM_AEAD_TAG, sealed->data() + ct_size, secret_box_tag_size
        ),
        OSSL_PARAM_construct_end(),
    };
    if (EVP_CIPHER_CTX_set_params(ctx.get(), params) != 1)
        detail::throw_openssl("EVP_CIPHER_CTX_set_params (tag)");
    // Final verifies the tag; the plaintext produced so far is discarded (wiped) on failure.
    if (EVP_DecryptFinal_ex(ctx.get(), plain.data() + out_len, &len) != 1)
        return decrypt_failed();
    out_len += static_cast<std::size_t>(len);

    return opened_secret{
        secret_string(std::string_view(reinterpret_cast<const char*>(plain.data()), out_len)), false};
}

} // namespace cpamd::security
