// The admin gate: failed-auth throttling per address, and the offline reset-admin-key.

#include "setup_fixture.hpp"

#include <catch2/catch.hpp>
#include <thread>

using namespace cpamd::test;

TEST_CASE("20 wrong keys from one address get 429; another address still gets in", "[auth]")
{
    temp_dir dir;
    auto d = start_daemon(dir);
    const std::string admin = generated_admin_key(d->process().output());
    auto c = d->client();
    http_reply last;
    for (int i = 0; i < 20; ++i)
        last = c.get("/status", bearer("cpamp_wrong" + std::to_string(i)));
    CHECK(last.status == 429);
    CHECK(parse(last.body).at("code").as_string() == "too_many_auth_failures");
    CHECK(std::string(parse(last.body).at("error").as_string())
              .starts_with("too many failed authentication attempts, retry in "));
    CHECK(std::stoi(last.header("retry-after")) >= 1);
    // Blocked even with the right key from that address.
    CHECK(c.get("/status", bearer(admin)).status == 429);
    // Open routes stay open.
    CHECK(c.get("/health").status == 200);

    http_client other("127.0.0.1", d->port(), std::chrono::seconds(10), "127.0.0.2");
    CHECK(other.get("/status", bearer(admin)).status == 200);
    CHECK(other.get("/status").status == 401);
}

TEST_CASE("reset-admin-key replaces the key offline and refuses while the daemon runs", "[auth]")
{
    temp_dir dir;
    const auto db = data_dir_of(dir) / "usage.sqlite";
    auto d = start_daemon(dir);
    const std::string old_key = generated_admin_key(d->process().output());

    auto busy = run_cpamd({"reset-admin-key", "--db-path", db.string()});
    CHECK(busy.code != 0);
    CHECK(busy.output.find("New admin key") == std::string::npos);
    CHECK(d->client().get("/status", bearer(old_key)).status == 200);
    stop_daemon(*d);

    auto created = parse(*read_setting_row(db, "admin_credential_v1")).as_object();
    auto reset = run_cpamd({"reset-admin-key", "--db-path", db.string()});
    REQUIRE(reset.code == 0);
    auto pos = reset.output.find("New admin key: cpamp_");
    REQUIRE(pos != std::string::npos);
    const std::string new_key = reset.output.substr(pos + 15, 38);
    auto rotated = parse(*read_setting_row(db, "admin_credential_v1")).as_object();
    CHECK(rotated.at("source").as_string() == "cli-generated");
    CHECK(rotated.at("createdAtMs") == created.at("createdAtMs"));
    CHECK(rotated.at("rotatedAtMs").as_int64() > 0);

    auto after = start_daemon(dir);
    CHECK(after->client().get("/status", bearer(old_key)).status == 401);
    CHECK(after->client().get("/status", bearer(new_key)).status == 200);
    std::string out = stop_daemon(*after);
    CHECK(out.find(new_key) == std::string::npos);

    auto chosen = run_cpamd({"reset-admin-key", "--db-path", db.string(), "--admin-key", "my-own-key"});
    CHECK(chosen.code == 0);
    CHECK(chosen.output.find("my-own-key") == std::string::npos);
    CHECK(parse(*read_setting_row(db, "admin_credential_v1")).at("source").as_string() == "cli");

    auto missing = run_cpamd({"reset-admin-key", "--db-path", (dir / "nope.sqlite").string()});
    CHECK(missing.code != 0);
}

TEST_CASE("the throttle follows its settings and releases the address after the block", "[auth]")
{
    temp_dir dir;
    auto d = start_daemon(
        dir,
        {{"CPAMD_AUTH_MAX_FAILURES", "3"},
         {"CPAMD_AUTH_WINDOW_SECONDS", "60"},
         {"CPAMD_AUTH_BLOCK_SECONDS", "1"}}
    );
    const std::string admin = generated_admin_key(d->process().output());
    auto c = d->client();
    CHECK(c.get("/status", bearer("cpamp_wrong1")).status == 401);
    CHECK(c.get("/status", bearer("cpamp_wrong2")).status == 401);
    CHECK(c.get("/status", bearer("cpamp_wrong3")).status == 401);
    CHECK(c.get("/status", bearer(admin)).status == 429); // the third failure blocked the address
    // Released once the block is over, and a success resets the count.
    bool released = false;
    for (int i = 0; i < 40 && !released; ++i)
    {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        released = c.get("/status", bearer(admin)).status == 200;
    }
    CHECK(released);
    CHECK(c.get("/status", bearer("cpamp_wrong4")).status == 401);
}
