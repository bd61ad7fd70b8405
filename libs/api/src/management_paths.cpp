#include <algorithm>
#include <array>
#include <cpamd/api/management_paths.hpp>
#include <cpamd/http/exchange.hpp>

namespace cpamd::api
{
namespace
{

// First segments the Manager Server answers itself (analytics-api §0, manager-api §2).
constexpr std::array<std::string_view, 8> local_families = {
    "account-action-candidates",
    "api-key-aliases",
    "codex-inspection",
    "dashboard",
    "model-prices",
    "monitoring",
    "quota-snapshots",
    "usage",
};

// First segments of CPA's own management API: the spec's list (§5.13) less the local families,
// and CPA's other routes. A caller without the admin key gets 401 on them. The spec's list alone left CPA's
// other routes (logs, api-keys, usage-queue, ...) open to anyone with any key, which CPA counted as failed
// logins from cpamd's address.
constexpr std::array<std::string_view, 50> cpa_segments = {
    "accounts",
    "ampcode",
    "anthropic-auth-url",
    "antigravity-auth-url",
    "api-call",
    "api-key-usage",
    "api-keys",
    "auth-files",
    "claude-api-key",
    "codex-api-key",
    "codex-auth-url",
    "config",
    "config.yaml",
    "debug",
    "error-logs-max-files",
    "force-model-prefix",
    "gemini-api-key",
    "gemini-cli-auth-url",
    "generative-language-api-key",
    "get-auth-status",
    "iflow-auth-url",
    "kimi-auth-url",
    "latest-version",
    "logging-to-file",
    "logs",
    "logs-max-total-size-mb",
    "max-retry-interval",
    "model-definitions",
    "oauth-callback",
    "oauth-excluded-models",
    "oauth-model-alias",
    "openai-compatibility",
    "plugin-store",
    "plugins",
    "proxy-url",
    "quota-exceeded",
    "qwen-auth-url",
    "reload",
    "remote-management",
    "request-error-logs",
    "request-log",
    "request-log-by-id",
    "request-retry",
    "routing",
    "switch-preview-model",
    "switch-project",
    "usage-queue",
    "usage-statistics-enabled",
    "vertex-api-key",
    "ws-auth",
};

bool contains(auto& list, std::string_view s)
{
    return std::find(list.begin(), list.end(), s) != list.end();
}

} // namespace

std::string canonical_management_rest(std::string_view rest)
{
    const std::string decoded = http::decode_path(rest);
    std::string out;
    out.reserve(decoded.size());
    for (char c : decoded)
    {
        if (c == '/' && (out.empty() || out.back() == '/'))
            continue;
        out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
    }
    if (!out.empty() && out.back() == '/')
        out.pop_back();
    return out;
}

management_path classify_management_path(std::string_view canonical_rest)
{
    const auto first = canonical_rest.substr(0, canonical_rest.find('/'));
    if (contains(local_families, first))
        return management_path::local;
    if (contains(cpa_segments, first))
        return management_path::cpa;
    return management_path::plugin;
}

} // namespace cpamd::api
