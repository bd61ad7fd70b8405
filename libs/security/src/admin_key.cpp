#include <array>
#include <cpamd/security/admin_key.hpp>
#include <cpamd/security/primitives.hpp>
#include <string>

namespace cpamd::security
{

namespace
{

constexpr std::string_view alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
static_assert(alphabet.size() == 62);

// 248 = 4 * 62: bytes at or above it would favour the first 8 characters, so they are dropped
// and every accepted byte maps uniformly with `byte % 62`.
constexpr unsigned rejection_limit = 248;

} // namespace

secret_string generate_admin_key()
{
    std::string key;
    key.reserve(admin_key_prefix.size() + admin_key_random_length);
    key.append(admin_key_prefix);
    std::array<unsigned char, 64> buf{};
    while (key.size() < admin_key_prefix.size() + admin_key_random_length)
    {
        random_bytes(buf);
        for (unsigned char b : buf)
        {
            if (b >= rejection_limit)
                continue;
            key.push_back(alphabet[b % alphabet.size()]);
            if (key.size() == admin_key_prefix.size() + admin_key_random_length)
                break;
        }
    }
    secure_zero(buf.data(), buf.size());
    return secret_string(std::move(key));
}

} // namespace cpamd::security
