#include <catch2/catch.hpp>
#include <cpamd/core/config.hpp>
#include <cpamd/test/temp_dir.hpp>
#include <fstream>
#include <map>

namespace
{

using cpamd::config_inputs;
using cpamd::load_config;

struct fixture
{
    cpamd::test::temp_dir dir;
    std::map<std::string, std::string> env;

    config_inputs inputs(std::optional<std::filesystem::path> override = std::nullopt)
    {
        config_inputs in;
        in.getenv = [this](const std::string& name) -> std::optional<std::string>
        {
            auto it = env.find(name);
            if (it == env.end())
                return std::nullopt;
            return it->second;
        };
        in.executable_dir = dir / "bin";
        in.working_dir = dir / "cwd";
        in.config_override = std::move(override);
        return in;
    }

    void write(const std::filesystem::path& p, const std::string& text)
    {
        std::filesystem::create_directories(p.parent_path());
        std::ofstream(p) << text;
    }
};

} // namespace

TEST_CASE_METHOD(fixture, "defaults apply when nothing is configured", "[config]")
{
    auto r = load_config(inputs());
    REQUIRE(r.ok);
    const auto& c = r.ok->value;
    CHECK(c.listen.host == "0.0.0.0");
    CHECK(c.listen.port == 18317);
    CHECK(c.config_file.empty());
    CHECK(c.data_dir == dir / "cwd" / "data");
    CHECK(c.db_path == dir / "cwd" / "data" / "usage.sqlite");
    CHECK(c.data_key_path == dir / "cwd" / "data" / "data.key");
    CHECK(c.collector == cpamd::collector_mode::automatic);
    CHECK(c.side == cpamd::pop_side::right);
    CHECK(c.batch_size == 100);
    CHECK(c.poll_interval_ms == 500);
    CHECK(c.query_limit == 50000);
    CHECK(c.cors_origins == std::vector<std::string>{"*"});
    CHECK(c.queue == "usage");
    CHECK(c.plugin_dir == dir / "lib" / "cpamd" / "plugins");
    CHECK_FALSE(c.env_managed_connection());
}

TEST_CASE_METHOD(fixture, "environment beats config.json, which beats defaults", "[config]")
{
    write(
        dir / "bin" / "config.json",
        R"({"httpAddr":"127.0.0.1:1000","batchSize":7,"queue":"q1","dataDir":"store"})"
    );
    env["HTTP_ADDR"] = "127.0.0.1:2000";
    auto r = load_config(inputs());
    REQUIRE(r.ok);
    const auto& c = r.ok->value;
    CHECK(c.config_file == dir / "bin" / "config.json");
    CHECK(c.listen.port == 2000); // env
    CHECK(c.batch_size == 7);     // file
    CHECK(c.queue == "q1");       // file
    CHECK(c.poll_interval_ms == 500);
    // Relative paths in the file resolve against the file's directory.
    CHECK(c.data_dir == dir / "bin" / "store");

    auto origin_of = [&](const std::string& env_name)
    {
        for (const auto& row : r.ok->effective)
            if (row.env == env_name)
                return row.origin;
        FAIL("no row " << env_name);
        return cpamd::config_origin::fallback;
    };
    CHECK(origin_of("HTTP_ADDR") == cpamd::config_origin::env);
    CHECK(origin_of("USAGE_BATCH_SIZE") == cpamd::config_origin::file);
    CHECK(origin_of("USAGE_POLL_INTERVAL_MS") == cpamd::config_origin::fallback);
}

TEST_CASE_METHOD(fixture, "an empty environment variable does not override the file", "[config]")
{
    write(dir / "bin" / "config.json", R"({"queue":"from-file"})");
    env["USAGE_RESP_QUEUE"] = "";
    auto r = load_config(inputs());
    REQUIRE(r.ok);
    CHECK(r.ok->value.queue == "from-file");
}

TEST_CASE_METHOD(fixture, "CPA_MANAGER_CONFIG names the file and creates it with defaults", "[config]")
{
    env["CPA_MANAGER_CONFIG"] = "etc/cpamd.json";
    auto r = load_config(inputs());
    REQUIRE(r.ok);
    auto file = dir / "cwd" / "etc" / "cpamd.json";
    CHECK(std::filesystem::exists(file));
    CHECK(r.ok->value.config_file == file);
    CHECK(r.ok->value.data_dir == dir / "cwd" / "etc" / "data");
    CHECK(r.ok->value.listen.port == 18317);
}

TEST_CASE_METHOD(fixture, "dbPath in the file is ignored when USAGE_DATA_DIR is set", "[config]")
{
    write(dir / "bin" / "config.json", R"({"dbPath":"/elsewhere/x.sqlite"})");
    env["USAGE_DATA_DIR"] = "/srv/cpamd";
    auto r = load_config(inputs());
    REQUIRE(r.ok);
    CHECK(r.ok->value.data_dir == "/srv/cpamd");
    CHECK(r.ok->value.db_path == "/srv/cpamd/usage.sqlite");
}

TEST_CASE_METHOD(
    fixture, "both CPA_UPSTREAM_URL and CPA_MANAGEMENT_KEY make an env-managed connection", "[config]"
)
{
    env["CPA_UPSTREAM_URL"] = "http://cpa:8317";
    env["CPA_MANAGEMENT_KEY"] = "secret-key";
    auto r = load_config(inputs());
    REQUIRE(r.ok);
    CHECK(r.ok->value.env_managed_connection());
    // check-config shows that a secret is set, never its value.
    for (const auto& row : r.ok->effective)
        CHECK(row.value.find("secret-key") == std::string::npos);
}

TEST_CASE_METHOD(fixture, "secret files are read and an unreadable named file is an error", "[config]")
{
    write(dir / "cwd" / "key.txt", "  from-file-key\n");
    env["CPA_MANAGEMENT_KEY_FILE"] = "key.txt";
    auto r = load_config(inputs());
    REQUIRE(r.ok);
    CHECK(r.ok->value.cpa_management_key == "from-file-key");

    env["CPA_MANAGEMENT_KEY"] = "direct";
    r = load_config(inputs());
    REQUIRE(r.ok);
    CHECK(r.ok->value.cpa_management_key == "direct");

    env.erase("CPA_MANAGEMENT_KEY");
    env["CPA_MANAGEMENT_KEY_FILE"] = "missing.txt";
    r = load_config(inputs());
    REQUIRE(r.error);
    CHECK(r.error->variable == "CPA_MANAGEMENT_KEY_FILE");
}

TEST_CASE_METHOD(fixture, "a value <= 0 falls back to the default with a warning", "[config]")
{
    env["USAGE_BATCH_SIZE"] = "0";
    env["USAGE_POLL_INTERVAL_MS"] = "-5";
    auto r = load_config(inputs());
    REQUIRE(r.ok);
    CHECK(r.ok->value.batch_size == 100);
    CHECK(r.ok->value.poll_interval_ms == 500);
    CHECK(r.ok->warnings.size() == 2);
}

TEST_CASE_METHOD(fixture, "every bad value is a one-line error naming the variable", "[config]")
{
    struct bad
    {
        std::string var, value, expect;
    };
    std::vector<bad> cases{
        {"HTTP_ADDR", "nonsense", "invalid address"},
        {"HTTP_ADDR", "127.0.0.1:99999", "port"},
        {"HTTP_ADDR", "::1:80", "brackets"},
        {"HTTP_ADDR", "example.com:80", "IP address"},
        {"USAGE_COLLECTOR_MODE", "pubsub", "unknown collector mode"},
        {"USAGE_RESP_POP_SIDE", "middle", "unknown pop side"},
        {"USAGE_POLL_INTERVAL_MS", "soon", "whole number"},
        {"USAGE_BATCH_SIZE", "12abc", "whole number"},
        {"USAGE_QUERY_LIMIT", "1e3", "whole number"},
        {"USAGE_RESP_TLS_SKIP_VERIFY", "maybe", "true or false"},
        {"USAGE_RETENTION_DAYS", "-1", "days"},
        {"CPAMD_LOG_LEVEL", "loud", "log level"},
        {"CPAMD_THREADS", "many", "whole number"},
        {"USAGE_IMPORT_MAX_SESSIONS", "99999999999999999999", "whole number"},
    };
    for (const auto& c : cases)
    {
        CAPTURE(c.var, c.value);
        env.clear();
        env[c.var] = c.value;
        auto r = load_config(inputs());
        REQUIRE(r.error);
        CHECK(r.error->variable == c.var);
        CHECK(r.error->message.find(c.expect) != std::string::npos);
        CHECK(r.error->to_string().find('\n') == std::string::npos);
    }
}

TEST_CASE_METHOD(fixture, "bad values in config.json name the field", "[config]")
{
    write(dir / "bin" / "config.json", R"({"collectorMode":"nope"})");
    auto r = load_config(inputs());
    REQUIRE(r.error);
    CHECK(r.error->variable == "config.json field collectorMode");

    write(dir / "bin" / "config.json", R"({"batchSize":{"a":1}})");
    r = load_config(inputs());
    REQUIRE(r.error);
    CHECK(r.error->variable == "config.json field batchSize");

    write(dir / "bin" / "config.json", R"({"batchSize": 12,)");
    r = load_config(inputs());
    REQUIRE(r.error);
    CHECK(r.error->message.find("invalid JSON") != std::string::npos);

    write(dir / "bin" / "config.json", R"([1,2])");
    r = load_config(inputs());
    REQUIRE(r.error);
    CHECK(r.error->message.find("object") != std::string::npos);
}

TEST_CASE_METHOD(fixture, "typed JSON values are accepted", "[config]")
{
    write(
        dir / "bin" / "config.json",
        R"({"batchSize":250,"tlsSkipVerify":true,"corsOrigins":["https://a.example","https://b.example"],"popSide":"left"})"
    );
    auto r = load_config(inputs());
    REQUIRE(r.ok);
    CHECK(r.ok->value.batch_size == 250);
    CHECK(r.ok->value.tls_skip_verify);
    CHECK(r.ok->value.cors_origins == std::vector<std::string>{"https://a.example", "https://b.example"});
    CHECK(r.ok->value.side == cpamd::pop_side::left);
}

TEST_CASE_METHOD(fixture, "--config must exist", "[config]")
{
    auto r = load_config(inputs(dir / "nope.json"));
    REQUIRE(r.error);
    CHECK(r.error->message.find("does not exist") != std::string::npos);
}

TEST_CASE("every documented setting has an env name and help", "[config]")
{
    auto docs = cpamd::config_field_docs();
    REQUIRE(docs.size() > 20);
    for (const auto& d : docs)
    {
        CHECK_FALSE(d.env.empty());
        CHECK_FALSE(d.help.empty());
    }
}

TEST_CASE("docs/configuration.md lists every setting", "[config][docs]")
{
    std::ifstream in(std::filesystem::path(CPAMD_SOURCE_DIR) / "docs" / "configuration.md");
    REQUIRE(in);
    std::string doc((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    for (const auto& d : cpamd::config_field_docs())
    {
        CAPTURE(d.env);
        CHECK(doc.find("| `" + std::string(d.env) + "` |") != std::string::npos);
        if (!d.json.empty())
            CHECK(doc.find("`" + std::string(d.json) + "`") != std::string::npos);
    }
}
