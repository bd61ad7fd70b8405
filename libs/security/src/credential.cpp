#include <array>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <cpamd/core/go_json.hpp>
#include <cpamd/security/base64.hpp>
#include <cpamd/security/credential.hpp>
#include <cpamd/security/text.hpp>
#include <fmt/format.h>
#include <limits>

namespace cpamd::security
{

namespace json = boost::json;

namespace
{

constexpr std::size_t salt_size = 16;

security_error bad(std::string_view what)
{
    return security_error{fmt::format("admin credential: {}", what)};
}

// Go's encoding/json matches object keys to struct fields exactly first, then
// case-insensitively; do the same so hand-edited records read the same way.
const json::value* find_field(const json::object& obj, std::string_view name)
{
    if (auto it = obj.find(name); it != obj.end())
        return &it->value();
    const json::value* found = nullptr;
    for (const auto& kv : obj)
        if (iequals_ascii(kv.key(), name))
            found = &kv.value(); // the last one wins, as in Go
    return found;
}

// An integer field: absent or null -> 0; anything but an integral number is an error.
result<std::int64_t> int_field(const json::object& obj, std::string_view name)
{
    const json::value* v = find_field(obj, name);
    if (v == nullptr || v->is_null())
        return std::int64_t{0};
    if (v->is_int64())
        return v->get_int64();
    if (v->is_uint64() &&
        v->get_uint64() <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
        return static_cast<std::int64_t>(v->get_uint64());
    return bad(fmt::format("{} must be an integer", name));
}

// A string field: absent or null -> "". (in_place_value: security_error is constructible from a
// std::string, which makes plain conversion to result<std::string> ambiguous.)
result<std::string> string_field(const json::object& obj, std::string_view name)
{
    const json::value* v = find_field(obj, name);
    if (v == nullptr || v->is_null())
        return result<std::string>(boost::system::in_place_value);
    if (!v->is_string())
        return bad(fmt::format("{} must be a string", name));
    return result<std::string>(boost::system::in_place_value, v->get_string().data(), v->get_string().size());
}

admin_credential make_credential(std::string_view trimmed_key, credential_source source)
{
    admin_credential c;
    c.version = 1;
    c.salt.resize(salt_size);
    random_bytes(c.salt);
    c.iterations = 1;
    c.key_hash = hash_admin_key(trimmed_key, c.salt, c.iterations);
    c.source = std::string(to_string(source));
    return c;
}

} // namespace

std::string_view to_string(credential_source s) noexcept
{
    switch (s)
    {
    case credential_source::env:
        return "env";
    case credential_source::generated:
        return "generated";
    case credential_source::cli:
        return "cli";
    case credential_source::cli_generated:
        return "cli-generated";
    }
    return "generated";
}

sha256_digest
hash_admin_key(std::string_view admin_key, std::span<const unsigned char> salt, std::int64_t iterations)
{
    const std::string_view key = trim_space(admin_key);
    if (iterations <= 1)
        return hmac_sha256(salt, as_bytes(key));
    const auto iter =
        static_cast<std::uint32_t>(std::min<std::int64_t>(iterations, max_credential_iterations));
    const secret_bytes derived = pbkdf2_sha256(as_bytes(key), salt, iter, sizeof(sha256_digest));
    sha256_digest out{};
    std::copy(derived.bytes().begin(), derived.bytes().end(), out.begin());
    return out;
}

result<admin_credential>
create_admin_credential(std::string_view admin_key, credential_source source, std::int64_t now_ms)
{
    const std::string_view key = trim_space(admin_key);
    if (key.empty())
        return security_error{"admin key is required"};
    admin_credential c = make_credential(key, source);
    c.created_at_ms = now_ms;
    return c;
}

result<admin_credential> rotate_admin_credential(
    const admin_credential& current,
    std::string_view new_admin_key,
    credential_source source,
    std::int64_t now_ms
)
{
    const std::string_view key = trim_space(new_admin_key);
    if (key.empty())
        return security_error{"admin key is required"};
    admin_credential c = make_credential(key, source);
    c.created_at_ms = current.created_at_ms;
    c.rotated_at_ms = now_ms;
    return c;
}

bool verify_admin_key(const admin_credential& credential, std::string_view presented)
{
    const std::string_view key = trim_space(presented);
    if (key.empty() || credential.salt.empty())
        return false;
    if (credential.iterations > max_credential_iterations)
        return false;
    const sha256_digest got = hash_admin_key(key, credential.salt, credential.iterations);
    return constant_time_equal(got, credential.key_hash);
}

result<admin_credential> parse_admin_credential(std::string_view text)
{
    boost::system::error_code ec;
    json::value root = json::parse(text, ec);
    if (ec)
        return bad(fmt::format("invalid JSON: {}", ec.message()));
    if (!root.is_object())
        return bad("not a JSON object");
    const json::object& obj = root.get_object();

    admin_credential c;
    auto version = int_field(obj, "version");
    if (!version)
        return version.error();
    // 0 = field absent; the upstream never checks it, but a future version may mean a
    // different hash, which must not be verified as this one.
    if (*version > 1 || *version < 0)
        return bad(fmt::format("unsupported version {}", *version));
    c.version = *version;

    auto salt = string_field(obj, "salt");
    if (!salt)
        return salt.error();
    if (salt->empty())
        return bad("salt is missing");
    auto salt_bytes = base64_decode(*salt, base64_variant::raw_std);
    if (!salt_bytes)
        return bad("salt is not unpadded standard base64");
    if (salt_bytes->empty())
        return bad("salt is empty");
    c.salt = std::move(*salt_bytes);

    auto hash = string_field(obj, "keyHash");
    if (!hash)
        return hash.error();
    if (hash->empty())
        return bad("keyHash is missing");
    auto hash_bytes = base64_decode(*hash, base64_variant::raw_std);
    if (!hash_bytes)
        return bad("keyHash is not unpadded standard base64");
    if (hash_bytes->size() != c.key_hash.size())
        return bad(fmt::format("keyHash must be 32 bytes, got {}", hash_bytes->size()));
    std::copy(hash_bytes->begin(), hash_bytes->end(), c.key_hash.begin());

    auto iterations = int_field(obj, "iterations");
    if (!iterations)
        return iterations.error();
    if (*iterations > max_credential_iterations)
        return bad(
            fmt::format("iterations {} exceeds the limit of {}", *iterations, max_credential_iterations)
        );
    c.iterations = *iterations;

    auto created = int_field(obj, "createdAtMs");
    if (!created)
        return created.error();
    c.created_at_ms = *created;

    auto rotated = int_field(obj, "rotatedAtMs");
    if (!rotated)
        return rotated.error();
    c.rotated_at_ms = *rotated;

    auto source = string_field(obj, "source");
    if (!source)
        return source.error();
    c.source = std::move(*source);
    return c;
}

std::string serialize_admin_credential(const admin_credential& credential)
{
    // boost::json::object keeps insertion order, which is Go's struct field order here.
    json::object obj;
    obj["version"] = credential.version;
    obj["salt"] = base64_encode(credential.salt, base64_variant::raw_std);
    obj["keyHash"] = base64_encode(credential.key_hash, base64_variant::raw_std);
    obj["iterations"] = credential.iterations;
    obj["createdAtMs"] = credential.created_at_ms;
    if (credential.rotated_at_ms != 0)
        obj["rotatedAtMs"] = credential.rotated_at_ms;
    obj["source"] = credential.source;
    std::string out = json::serialize(obj);
    go_json::escape_html_in_place(out);
    return out;
}

} // namespace cpamd::security
