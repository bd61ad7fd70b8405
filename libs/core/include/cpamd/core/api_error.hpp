#pragma once

// The error every route answers with: HTTP status plus the upstream's JSON body
// {"error":"<message>","code":"<code>"} (spec manager-api §1, §1.1).

#include <string>

namespace cpamd
{

struct api_error
{
    unsigned status = 500;
    std::string code;    // e.g. "invalid_admin_key"
    std::string message; // human-readable, never contains a secret

    // The JSON body, Go-encoded (trailing newline).
    std::string body() const;
};

} // namespace cpamd
