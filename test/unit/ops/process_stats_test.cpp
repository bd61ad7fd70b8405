#include <catch2/catch.hpp>
#include <chrono>
#include <cpamd/ops/process_stats.hpp>
#include <fcntl.h>
#include <unistd.h>

TEST_CASE("process stats read this process from /proc", "[process_stats]")
{
    auto before = cpamd::ops::read_process_stats();
    CHECK(before.resident_bytes > 1024 * 1024);
    CHECK(before.virtual_bytes >= before.resident_bytes);
    CHECK(before.max_fds > 0);
    CHECK(before.threads >= 1);
    auto now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    CHECK(before.start_time_seconds <= now + 1);
    CHECK(before.start_time_seconds > now - 3600);

    int fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    REQUIRE(fd >= 0);
    auto after = cpamd::ops::read_process_stats();
    ::close(fd);
    CHECK(after.open_fds == before.open_fds + 1);
}
