#include <cpamd/collectors/resp_errors.hpp>

namespace cpamd::collectors
{
namespace
{

using collector_api::outcome_code;

bool contains(std::string_view s, std::string_view part)
{
    return s.find(part) != std::string_view::npos;
}

bool means_resp_disabled(std::string_view e)
{
    return contains(e, "RESP AUTH disabled") || contains(e, "disabled in home mode");
}

bool means_auth_refused(std::string_view e)
{
    return e.starts_with("NOAUTH") || e.starts_with("WRONGPASS") || contains(e, "management key") ||
           contains(e, "IP banned") || contains(e, "remote management");
}

} // namespace

outcome_code classify_auth_error(std::string_view e)
{
    return means_resp_disabled(e) ? outcome_code::unsupported : outcome_code::auth_failed;
}

outcome_code classify_command_error(std::string_view e)
{
    if (means_auth_refused(e))
        return outcome_code::auth_failed;
    if (means_resp_disabled(e) || contains(e, "unsupported channel") || contains(e, "unknown command"))
        return outcome_code::unsupported;
    return outcome_code::io_error;
}

std::string scrub(std::string text, std::string_view secret)
{
    if (secret.empty())
        return text;
    for (auto at = text.find(secret); at != std::string::npos; at = text.find(secret, at + 3))
        text.replace(at, secret.size(), "***");
    return text;
}

} // namespace cpamd::collectors
