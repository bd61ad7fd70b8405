#pragma once

// The data key (spec manager-api §3.3): 32 bytes from which the key that encrypts stored CPA
// management keys is derived (secret_box.hpp). Sources, first match wins:
//   1. the CPA_MANAGER_DATA_KEY value;
//   2. the content of each secret file in order (CPA_MANAGER_DATA_KEY_FILE, config dataKeyFile,
//      /run/secrets/cpa_data_key); an unreadable or blank file is skipped;
//   3. the file at dataKeyPath, created if absent.
// A value from 1 or 2 (trimmed) is base64 (RawStd, Std or RawURL) of exactly 32 bytes, else the
// literal string if it is 32 bytes long, else stretched with
// HKDF-SHA256(ikm = value, salt = "cpa-manager-plus", info = "data-key-v1", 32).
// The dataKeyPath file must hold base64 of 32 bytes or 32 literal bytes (no stretching): anything
// else is fatal, since a wrong key would make every stored secret unreadable. A created file has
// mode 0600 in directories created 0700 and holds b64raw(key) + "\n" (43 characters + newline).
// This is a pure function of its inputs and the filesystem: reading the environment and the
// config is the caller's job. No message ever contains the key or a file's content.

#include <cpamd/security/error.hpp>
#include <cpamd/security/secret.hpp>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace cpamd::security
{

inline constexpr std::size_t data_key_size = 32;
inline constexpr std::string_view default_data_key_secret_file = "/run/secrets/cpa_data_key";

struct data_key_inputs
{
    secret_string env_value;                         // CPA_MANAGER_DATA_KEY; empty = unset
    std::vector<std::filesystem::path> secret_files; // tried in order; empty paths are skipped
    std::filesystem::path data_key_path;             // dataKeyPath, e.g. <dataDir>/data.key
};

enum class data_key_origin
{
    env_value,   // CPA_MANAGER_DATA_KEY
    secret_file, // one of data_key_inputs::secret_files
    key_file,    // data_key_inputs::data_key_path
};

std::string_view to_string(data_key_origin o) noexcept;

struct data_key
{
    secret_bytes key; // always data_key_size bytes
    data_key_origin origin = data_key_origin::key_file;
    std::filesystem::path path; // the file it came from (empty for env_value)
    bool created = false;       // key_file was absent and has just been written
    bool stretched = false;     // the value was a passphrase, stretched with HKDF
    std::string warning;        // e.g. the key file is readable by others; empty if none
};

// Resolves the data key. Errors: dataKeyPath missing/empty, unreadable (other than absent),
// unparseable, or not creatable. Throws crypto_failure only if the CSPRNG fails.
result<data_key> load_or_create_data_key(const data_key_inputs& inputs);

// The key a CPA_MANAGER_DATA_KEY or secret-file value stands for (trimmed; base64, literal or
// HKDF-stretched). Fails only if the trimmed value is empty. `stretched` reports the HKDF case.
result<secret_bytes> derive_data_key_from_value(std::string_view value, bool* stretched = nullptr);

// The key a dataKeyPath file's content stands for (trimmed; base64 or literal 32 bytes).
result<secret_bytes> parse_stored_data_key(std::string_view content);

} // namespace cpamd::security
