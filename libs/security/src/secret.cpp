#include <cpamd/security/secret.hpp>
#include <openssl/crypto.h>
#include <ostream>

namespace cpamd::security
{

bool constant_time_equal(std::span<const unsigned char> a, std::span<const unsigned char> b) noexcept
{
    if (a.size() != b.size())
        return false;
    if (a.empty())
        return true;
    return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

bool constant_time_equal(std::string_view a, std::string_view b) noexcept
{
    return constant_time_equal(
        std::span<const unsigned char>(reinterpret_cast<const unsigned char*>(a.data()), a.size()),
        std::span<const unsigned char>(reinterpret_cast<const unsigned char*>(b.data()), b.size())
    );
}

void secure_zero(void* p, std::size_t n) noexcept
{
    if (p != nullptr && n != 0)
        OPENSSL_cleanse(p, n);
}

// ---- secret_bytes ----------------------------------------------------------------------------

secret_bytes& secret_bytes::operator=(const secret_bytes& other)
{
    if (this != &other)
    {
        wipe();
        bytes_ = other.bytes_;
    }
    return *this;
}

secret_bytes& secret_bytes::operator=(secret_bytes&& other) noexcept
{
    if (this != &other)
    {
        wipe();
        bytes_ = std::move(other.bytes_);
        other.bytes_.clear();
    }
    return *this;
}

void secret_bytes::wipe() noexcept
{
    secure_zero(bytes_.data(), bytes_.size());
    bytes_.clear();
}

// ---- secret_string ---------------------------------------------------------------------------

secret_string::secret_string(std::string&& value) : value_(value)
{
    secure_zero(value.data(), value.size());
    value.clear();
}

secret_string::secret_string(secret_string&& other) : value_(other.value_)
{
    other.wipe();
}

secret_string& secret_string::operator=(const secret_string& other)
{
    if (this != &other)
    {
        wipe();
        value_ = other.value_;
    }
    return *this;
}

secret_string& secret_string::operator=(secret_string&& other)
{
    if (this != &other)
    {
        wipe();
        value_ = other.value_;
        other.wipe();
    }
    return *this;
}

void secret_string::wipe() noexcept
{
    secure_zero(value_.data(), value_.size());
    value_.clear();
}

std::ostream& operator<<(std::ostream& os, const secret_bytes&)
{
    return os << redacted_placeholder;
}

std::ostream& operator<<(std::ostream& os, const secret_string&)
{
    return os << redacted_placeholder;
}

} // namespace cpamd::security
