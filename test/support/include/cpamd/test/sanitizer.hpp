#pragma once

// Whether this test binary is a sanitizer build (the asan preset). Everything there runs several
// times slower, cpa-sim and cpamd included, so a test whose subject is correctness rather than
// throughput feeds traffic at a rate the slower build keeps up with; the release suites keep the
// full rates.

namespace cpamd::test
{

#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool sanitized_build = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr bool sanitized_build = true;
#else
inline constexpr bool sanitized_build = false;
#endif
#else
inline constexpr bool sanitized_build = false;
#endif

// `full` in a release build, a quarter of it under a sanitizer.
constexpr int traffic_rate(int full)
{
    return sanitized_build ? full / 4 : full;
}

} // namespace cpamd::test
