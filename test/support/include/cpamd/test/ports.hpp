#pragma once

#include <cstdint>

namespace cpamd::test
{

// A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0, then released).
std::uint16_t free_port();

} // namespace cpamd::test
