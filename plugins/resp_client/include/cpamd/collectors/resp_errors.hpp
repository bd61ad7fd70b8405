#pragma once

// How the RESP transports read CPA's (and Redis') error replies. The texts come from the usage-queue
// spec §3: an outcome the host can act on (back off, fall back to another transport, stop and ask for
// a new key) matters more than the exact words, which are kept in the outcome message.

#include <cpamd/collector_api/collector.hpp>
#include <string>
#include <string_view>

namespace cpamd::collectors
{

// An error reply to AUTH: unsupported when RESP is switched off (v7.1.17 "RESP AUTH disabled", home
// mode), auth_failed for everything else (wrong or missing key, ban, remote management refused,
// Redis' WRONGPASS).
collector_api::outcome_code classify_auth_error(std::string_view error_text);

// An error reply to a command after a successful AUTH: auth_failed (NOAUTH, ban, key texts),
// unsupported (unsupported channel, unknown command, RESP disabled), else io_error.
collector_api::outcome_code classify_command_error(std::string_view error_text);

// `text` with every occurrence of `secret` replaced by "***": outcome messages quote the server, and
// the key must never reach a log even if a server echoes it.
std::string scrub(std::string text, std::string_view secret);

} // namespace cpamd::collectors
