#pragma once

// Holders for key material. Both wipe their buffer with OPENSSL_cleanse when destroyed or
// overwritten, and neither can be printed: fmt and operator<< write a placeholder, never the
// value (docs/security.md, "secrets never logged"). Read the value explicitly with view()/bytes().

#include <cstddef>
#include <fmt/format.h>
#include <iosfwd>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace cpamd::security
{

// Constant-time equality (CRYPTO_memcmp). Lengths are compared first: a length mismatch
// returns false immediately, which reveals only the length (as Go's subtle.ConstantTimeCompare).
bool constant_time_equal(std::span<const unsigned char> a, std::span<const unsigned char> b) noexcept;
bool constant_time_equal(std::string_view a, std::string_view b) noexcept;

// Wipes `n` bytes at `p` in a way the optimizer cannot drop.
void secure_zero(void* p, std::size_t n) noexcept;

class secret_bytes
{
public:
    secret_bytes() = default;
    explicit secret_bytes(std::size_t size) : bytes_(size) {}
    explicit secret_bytes(std::span<const unsigned char> bytes) : bytes_(bytes.begin(), bytes.end()) {}
    secret_bytes(const secret_bytes& other) : bytes_(other.bytes_) {}
    // A moved std::vector hands over its heap buffer, so no copy is left behind.
    secret_bytes(secret_bytes&& other) noexcept : bytes_(std::move(other.bytes_)) { other.bytes_.clear(); }
    secret_bytes& operator=(const secret_bytes& other);
    secret_bytes& operator=(secret_bytes&& other) noexcept;
    ~secret_bytes() { wipe(); }

    std::size_t size() const noexcept { return bytes_.size(); }
    bool empty() const noexcept { return bytes_.empty(); }
    unsigned char* data() noexcept { return bytes_.data(); }
    const unsigned char* data() const noexcept { return bytes_.data(); }
    std::span<const unsigned char> bytes() const noexcept { return bytes_; }
    std::span<unsigned char> mutable_bytes() noexcept { return bytes_; }

    // Zeroes and empties the buffer.
    void wipe() noexcept;

    friend bool operator==(const secret_bytes& a, const secret_bytes& b) noexcept
    {
        return constant_time_equal(a.bytes(), b.bytes());
    }

private:
    std::vector<unsigned char> bytes_;
};

class secret_string
{
public:
    secret_string() = default;
    explicit secret_string(std::string_view value) : value_(value) {}
    explicit secret_string(const char* value) : value_(value) {}
    // Copies `value`, then wipes it: moving a short std::string (SSO) copies its characters and
    // leaves them behind in the source, so moves here are always copy-then-wipe.
    explicit secret_string(std::string&& value);
    secret_string(const secret_string& other) : value_(other.value_) {}
    secret_string(secret_string&& other);
    secret_string& operator=(const secret_string& other);
    secret_string& operator=(secret_string&& other);
    ~secret_string() { wipe(); }

    std::string_view view() const noexcept { return value_; }
    const char* c_str() const noexcept { return value_.c_str(); }
    std::size_t size() const noexcept { return value_.size(); }
    bool empty() const noexcept { return value_.empty(); }
    std::span<const unsigned char> bytes() const noexcept
    {
        return {reinterpret_cast<const unsigned char*>(value_.data()), value_.size()};
    }

    void wipe() noexcept;

    friend bool operator==(const secret_string& a, const secret_string& b) noexcept
    {
        return constant_time_equal(a.view(), b.view());
    }

private:
    std::string value_;
};

// What any attempt to print a secret produces.
inline constexpr std::string_view redacted_placeholder = "[redacted]";

std::ostream& operator<<(std::ostream& os, const secret_bytes&);
std::ostream& operator<<(std::ostream& os, const secret_string&);

} // namespace cpamd::security

template <>
struct fmt::formatter<cpamd::security::secret_bytes> : fmt::formatter<std::string_view>
{
    template <class FormatContext>
    auto format(const cpamd::security::secret_bytes&, FormatContext& ctx) const
    {
        return fmt::formatter<std::string_view>::format(cpamd::security::redacted_placeholder, ctx);
    }
};

template <>
struct fmt::formatter<cpamd::security::secret_string> : fmt::formatter<std::string_view>
{
    template <class FormatContext>
    auto format(const cpamd::security::secret_string&, FormatContext& ctx) const
    {
        return fmt::formatter<std::string_view>::format(cpamd::security::redacted_placeholder, ctx);
    }
};
