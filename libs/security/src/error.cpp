#include <cpamd/security/error.hpp>
#include <openssl/err.h>
#include <string>

namespace cpamd::security
{

void throw_exception_from_error(const security_error& e, const boost::source_location&)
{
    throw security_exception(e.message);
}

namespace detail
{

void throw_openssl(const char* what)
{
    std::string message = what;
    // The most recent error is the most specific; clear the queue so it does not leak into
    // unrelated callers on this thread.
    const unsigned long code = ERR_peek_last_error();
    ERR_clear_error();
    if (code != 0)
    {
        char buf[256];
        ERR_error_string_n(code, buf, sizeof buf);
        message += ": ";
        message += buf;
    }
    throw crypto_failure(message);
}

} // namespace detail

} // namespace cpamd::security
