#include <cpamd/core/version.hpp>

#include <fmt/format.h>

int main() { fmt::print("cpamd {}\n", cpamd::version); }
