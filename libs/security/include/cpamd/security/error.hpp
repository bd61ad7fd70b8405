#pragma once

// Failure contract of libs/security (Boost.MySQL style):
//  - failures the input can cause (a malformed record, a wrong key file, a tampered ciphertext)
//    come back as result<T> holding a security_error with a message that is safe to log;
//  - failures of the platform (RAND_bytes, an OpenSSL allocation) throw crypto_failure.
// No message ever contains key material.

#include <boost/system/result.hpp>
#include <stdexcept>
#include <string>

namespace cpamd::security
{

struct security_error
{
    std::string message;
};

// What result<T>::value() throws when it holds an error.
class security_exception : public std::runtime_error
{
public:
    using std::runtime_error::runtime_error;
};

// Thrown when OpenSSL or the CSPRNG fails: never caused by input, not recoverable by retrying it.
class crypto_failure : public std::runtime_error
{
public:
    using std::runtime_error::runtime_error;
};

template <class T>
using result = boost::system::result<T, security_error>;

// Found by ADL from boost::system::result<T, security_error>::value().
[[noreturn]] void throw_exception_from_error(const security_error& e, const boost::source_location& loc);

namespace detail
{

// Throws crypto_failure with `what` and the last OpenSSL error reason (no secrets in it).
[[noreturn]] void throw_openssl(const char* what);

} // namespace detail

} // namespace cpamd::security
