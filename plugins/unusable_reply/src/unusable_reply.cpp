#include <cpamd/collectors/unusable_reply.hpp>
#include <openssl/evp.h>
#include <stdexcept>

namespace cpamd::collectors
{
namespace
{

std::string to_hex(const unsigned char* p, unsigned n)
{
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    for (unsigned i = 0; i < n; ++i)
    {
        out += digits[p[i] >> 4];
        out += digits[p[i] & 15];
    }
    return out;
}

} // namespace

struct bounded_body::sha256_state
{
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    sha256_state()
    {
        if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr) != 1)
            throw std::runtime_error("SHA-256 unavailable");
    }
    ~sha256_state() { EVP_MD_CTX_free(ctx); }
    void update(std::string_view s) { EVP_DigestUpdate(ctx, s.data(), s.size()); }
    std::string finish()
    {
        unsigned char d[EVP_MAX_MD_SIZE];
        unsigned n = 0;
        EVP_DigestFinal_ex(ctx, d, &n);
        return to_hex(d, n);
    }
};

std::string rejected_via(std::string_view transport)
{
    return std::string(transport) + ":rejected";
}

bounded_body::bounded_body(std::size_t cap) : cap_(cap) {}
bounded_body::~bounded_body() = default;

void bounded_body::append(std::string_view piece)
{
    size_ += piece.size();
    if (!hash_ && text_.size() + piece.size() <= cap_)
    {
        text_.append(piece);
        return;
    }
    if (!hash_)
    {
        // Over the cap: from here on only the prefix, the size and the hash.
        hash_ = std::make_unique<sha256_state>();
        hash_->update(text_);
        if (text_.size() < reject_prefix_bytes)
            text_.append(piece.substr(0, reject_prefix_bytes - text_.size()));
        text_.resize(std::min(text_.size(), reject_prefix_bytes));
        text_.shrink_to_fit();
    }
    hash_->update(piece);
}

std::vector<std::string> bounded_body::reject(std::string reason)
{
    if (!hash_)
        return reject_records(std::move(reason), text_);
    return {std::move(reason), text_, std::to_string(size_), hash_->finish()};
}

std::vector<std::string> reject_records(std::string reason, std::string_view payload)
{
    bounded_body::sha256_state h;
    h.update(payload);
    return {
        std::move(reason),
        std::string(payload.substr(0, reject_prefix_bytes)),
        std::to_string(payload.size()),
        h.finish()};
}

} // namespace cpamd::collectors
