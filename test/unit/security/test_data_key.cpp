#include "test_util.hpp"

#include <catch2/catch.hpp>
#include <cpamd/security/base64.hpp>
#include <cpamd/security/data_key.hpp>
#include <cpamd/security/primitives.hpp>
#include <cpamd/test/temp_dir.hpp>
#include <fstream>
#include <set>
#include <sstream>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

using namespace cpamd::security;
using cpamd::security::testing::counting_bytes;
using cpamd::security::testing::from_hex;
using cpamd::security::testing::to_hex;
namespace fs = std::filesystem;

namespace
{

// bytes 00..1f in the three accepted base64 forms
constexpr std::string_view counting_b64raw = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8";
// fb ff bf ... fe ff: its encodings differ between the std and url alphabets
constexpr std::string_view mixed_hex = "fbffbffbffbffbffbffbffbffbffbffbffbffbffbffbffbffbffbffbffbffeff";
constexpr std::string_view mixed_std = "+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+/+//v8=";
constexpr std::string_view mixed_raw_url = "-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-_-__v8";
// HKDF-SHA256(ikm="my passphrase", salt="cpa-manager-plus", info="data-key-v1"), from the
// openssl CLI and Python's `cryptography`.
constexpr std::string_view passphrase_key_hex =
    "debd8c33443902bd04959b9f4e2f9544095ecc7ba0a6275366c911680fcf3439";

void write_file(const fs::path& p, std::string_view content)
{
    std::ofstream f(p, std::ios::binary);
    f << content;
}

std::string read_file(const fs::path& p)
{
    std::ifstream f(p, std::ios::binary);
    std::ostringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

unsigned mode_of(const fs::path& p)
{
    struct stat st
    {
    };
    REQUIRE(::stat(p.c_str(), &st) == 0);
    return st.st_mode & 07777;
}

std::string hex_of(const result<secret_bytes>& r)
{
    REQUIRE(r.has_value());
    return to_hex(r->bytes());
}

data_key load_ok(const data_key_inputs& in)
{
    auto r = load_or_create_data_key(in);
    INFO((r ? std::string() : r.error().message));
    REQUIRE(r.has_value());
    REQUIRE(r->key.size() == 32);
    return std::move(*r);
}

} // namespace

TEST_CASE("env/secret values: base64 forms, literal, then HKDF", "[security][data_key]")
{
    const std::string counting = to_hex(counting_bytes(32));
    bool stretched = true;
    CHECK(hex_of(derive_data_key_from_value(counting_b64raw, &stretched)) == counting);
    CHECK_FALSE(stretched);
    CHECK(hex_of(derive_data_key_from_value(std::string(counting_b64raw) + "=")) == counting);
    CHECK(hex_of(derive_data_key_from_value(mixed_std)) == mixed_hex);
    CHECK(hex_of(derive_data_key_from_value(mixed_raw_url)) == mixed_hex);
    CHECK(
        hex_of(derive_data_key_from_value("0123456789abcdef0123456789abcdef")) ==
        to_hex(as_bytes("0123456789abcdef0123456789abcdef"))
    );

    CHECK(hex_of(derive_data_key_from_value("my passphrase", &stretched)) == passphrase_key_hex);
    CHECK(stretched);
    CHECK(hex_of(derive_data_key_from_value("  my passphrase \n")) == passphrase_key_hex);
    // base64 of the wrong length is not a key: stretched like any passphrase.
    CHECK(hex_of(derive_data_key_from_value("AAECAw", &stretched)).size() == 64);
    CHECK(stretched);

    auto empty = derive_data_key_from_value(" \n");
    REQUIRE_FALSE(empty.has_value());
    CHECK(empty.error().message == "data key is required");
}

TEST_CASE("stored data key files are never stretched", "[security][data_key]")
{
    CHECK(hex_of(parse_stored_data_key(std::string(counting_b64raw) + "\n")) == to_hex(counting_bytes(32)));
    CHECK(hex_of(parse_stored_data_key(mixed_std)) == mixed_hex);
    CHECK(hex_of(parse_stored_data_key(mixed_raw_url)) == mixed_hex);
    CHECK(hex_of(parse_stored_data_key("0123456789abcdef0123456789abcdef")).size() == 64);
    CHECK_FALSE(parse_stored_data_key("my passphrase").has_value());
    CHECK_FALSE(parse_stored_data_key("").has_value());
}

TEST_CASE("CPA_MANAGER_DATA_KEY wins over every file", "[security][data_key]")
{
    cpamd::test::temp_dir dir;
    write_file(dir / "secret", "other passphrase");
    data_key_inputs in;
    in.env_value = secret_string("my passphrase");
    in.secret_files = {dir / "secret"};
    in.data_key_path = dir / "data" / "data.key";
    const data_key k = load_ok(in);
    CHECK(to_hex(k.key.bytes()) == passphrase_key_hex);
    CHECK(k.origin == data_key_origin::env_value);
    CHECK(k.stretched);
    CHECK_FALSE(k.created);
    CHECK_FALSE(fs::exists(in.data_key_path)); // nothing written
}

TEST_CASE("secret files: unreadable or blank ones are skipped, in order", "[security][data_key]")
{
    cpamd::test::temp_dir dir;
    fs::create_directory(dir / "a-directory");
    write_file(dir / "blank", " \n\t\n");
    write_file(dir / "second", std::string(counting_b64raw) + "\n");
    write_file(dir / "third", "my passphrase");
    data_key_inputs in;
    in.env_value = secret_string("  \n"); // blank env value counts as unset
    in.secret_files = {
        dir / "missing", dir / "a-directory", "", dir / "blank", dir / "second", dir / "third"};
    in.data_key_path = dir / "data.key";
    const data_key k = load_ok(in);
    CHECK(k.origin == data_key_origin::secret_file);
    CHECK(k.path == dir / "second");
    CHECK(to_hex(k.key.bytes()) == to_hex(counting_bytes(32)));
    CHECK_FALSE(k.stretched);

    in.secret_files = {dir / "missing", dir / "third"};
    const data_key k3 = load_ok(in);
    CHECK(k3.path == dir / "third");
    CHECK(to_hex(k3.key.bytes()) == passphrase_key_hex);
    CHECK_FALSE(fs::exists(in.data_key_path));
}

TEST_CASE("data key file is created once, privately, and read back", "[security][data_key]")
{
    cpamd::test::temp_dir dir;
    data_key_inputs in;
    in.secret_files = {dir / "no-such-secret"};
    in.data_key_path = dir / "deep" / "er" / "data.key";

    const data_key created = load_ok(in);
    CHECK(created.created);
    CHECK(created.origin == data_key_origin::key_file);
    CHECK(created.path == in.data_key_path);
    CHECK(created.warning.empty());

    const std::string content = read_file(in.data_key_path);
    REQUIRE(content.size() == 44);
    CHECK(content.back() == '\n');
    CHECK(content.substr(0, 43) == base64_encode(created.key.bytes(), base64_variant::raw_std));
    CHECK(mode_of(in.data_key_path) == 0600);
    CHECK((mode_of(dir / "deep") & 077) == 0);
    CHECK((mode_of(dir / "deep" / "er") & 077) == 0);
    // No temp file left behind.
    CHECK(std::distance(fs::directory_iterator(dir / "deep" / "er"), fs::directory_iterator()) == 1);

    const data_key again = load_ok(in);
    CHECK_FALSE(again.created);
    CHECK(again.key == created.key);
}

TEST_CASE("a data.key written by the upstream opens", "[security][data_key]")
{
    cpamd::test::temp_dir dir;
    write_file(dir / "data.key", std::string(counting_b64raw) + "\n");
    ::chmod((dir / "data.key").c_str(), 0600);
    data_key_inputs in;
    in.data_key_path = dir / "data.key";
    const data_key k = load_ok(in);
    CHECK(to_hex(k.key.bytes()) == to_hex(counting_bytes(32)));
    CHECK_FALSE(k.created);
    CHECK(k.warning.empty());
}

TEST_CASE("a readable-by-others data.key loads with a warning", "[security][data_key]")
{
    cpamd::test::temp_dir dir;
    write_file(dir / "data.key", mixed_std);
    ::chmod((dir / "data.key").c_str(), 0644);
    data_key_inputs in;
    in.data_key_path = dir / "data.key";
    const data_key k = load_ok(in);
    CHECK(to_hex(k.key.bytes()) == mixed_hex);
    CHECK(k.warning.find("chmod 600") != std::string::npos);
    CHECK(k.warning.find("0644") != std::string::npos);
}

TEST_CASE("a bad data.key is fatal and its content is never echoed", "[security][data_key]")
{
    cpamd::test::temp_dir dir;
    const std::string content = "this is a passphrase, not a key";
    write_file(dir / "data.key", content);
    data_key_inputs in;
    in.data_key_path = dir / "data.key";
    auto r = load_or_create_data_key(in);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().message.find("must hold 32 bytes") != std::string::npos);
    CHECK(r.error().message.find(content) == std::string::npos);
    CHECK(read_file(dir / "data.key") == content); // left untouched

    write_file(dir / "data.key", "");
    CHECK_FALSE(load_or_create_data_key(in).has_value());
}

TEST_CASE("data key path errors", "[security][data_key]")
{
    data_key_inputs in;
    auto r = load_or_create_data_key(in);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().message == "data key path is required");

    cpamd::test::temp_dir dir;
    write_file(dir / "file", "x");
    in.data_key_path = dir / "file" / "data.key"; // parent is a file
    r = load_or_create_data_key(in);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().message.find("data key") != std::string::npos);

    in.data_key_path = dir / "dir-as-key";
    fs::create_directory(in.data_key_path);
    r = load_or_create_data_key(in);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().message.starts_with("read data key"));

    if (::geteuid() != 0) // root reads anything
    {
        write_file(dir / "locked.key", counting_b64raw);
        ::chmod((dir / "locked.key").c_str(), 0);
        in.data_key_path = dir / "locked.key";
        r = load_or_create_data_key(in);
        REQUIRE_FALSE(r.has_value());
        CHECK(r.error().message.starts_with("read data key"));
    }
}

TEST_CASE("concurrent first starts agree on one key", "[security][data_key]")
{
    cpamd::test::temp_dir dir;
    data_key_inputs in;
    in.data_key_path = dir / "data.key";
    constexpr int n = 8;
    std::vector<std::string> keys(n);
    std::vector<int> created(n);
    std::vector<std::thread> threads;
    for (int i = 0; i < n; ++i)
        threads.emplace_back(
            [&, i]
            {
                auto r = load_or_create_data_key(in);
                if (r)
                {
                    keys[i] = to_hex(r->key.bytes());
                    created[i] = r->created ? 1 : 0;
                }
            }
        );
    for (auto& t : threads)
        t.join();
    CHECK(std::set<std::string>(keys.begin(), keys.end()).size() == 1);
    CHECK_FALSE(keys[0].empty());
    CHECK(std::count(created.begin(), created.end(), 1) == 1);
    CHECK(std::distance(fs::directory_iterator(dir.path()), fs::directory_iterator()) == 1);
}
