// /v0/management/api-key-aliases on the real daemon (spec manager-api §5.11): listing order,
// upserts, every 400, atomic failure, orphan cleanup, DELETE, auth and 405.

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <catch2/catch.hpp>
#include <cpamd/test/daemon.hpp>

using cpamd::test::running_daemon;
namespace json = boost::json;

namespace
{

const std::string admin_key = "cpamp_aliastestadminkey0123456789";
const std::string path = "/v0/management/api-key-aliases";

std::map<std::string, std::string> admin()
{
    return {{"Authorization", "Bearer " + admin_key}, {"Content-Type", "application/json"}};
}

std::string hash_of(char c)
{
    return std::string(64, c);
}

struct client
{
    cpamd::test::http_client c;

    cpamd::test::http_reply put(const std::string& body) { return c.request("PUT", path, body, admin()); }
    json::value list()
    {
        auto r = c.request("GET", path, {}, admin());
        REQUIRE(r.status == 200);
        return json::parse(r.body);
    }
    // The aliases, in listing order.
    std::vector<std::string> aliases()
    {
        std::vector<std::string> out;
        const auto all = list(); // a range-for over a temporary's member would dangle
        for (const auto& i : all.at("items").as_array())
            out.emplace_back(i.at("alias").as_string());
        return out;
    }
};

std::string item(char h, const std::string& alias, std::int64_t updated = 0)
{
    return json::serialize(json::object{
        {"apiKeyHash", hash_of(h)}, {"alias", alias}, {"updatedAtMs", updated}});
}

std::string items(std::initializer_list<std::string> list, const std::string& extra = "")
{
    std::string body = "{\"items\":[";
    bool first = true;
    for (const auto& i : list)
    {
        body += (first ? "" : ",") + i;
        first = false;
    }
    return body + "]" + extra + "}";
}

void check_error(const cpamd::test::http_reply& r, const std::string& code)
{
    CHECK(r.status == 400);
    auto v = json::parse(r.body);
    CHECK(v.at("code").as_string() == code);
    CHECK(v.as_object().contains("error"));
}

} // namespace

TEST_CASE("aliases: list, upsert, validation and atomicity", "[daemon][aliases]")
{
    running_daemon d({{"CPA_MANAGER_ADMIN_KEY", admin_key}});
    client c{d.client()};

    SECTION("empty at first, sorted by alias case-insensitively, then hash")
    {
        CHECK(c.list() == json::parse(R"({"items":[]})"));

        auto r = c.put(items({item('b', "beta", 42), item('a', "Alpha"), item('C', " gamma ")}));
        REQUIRE(r.status == 200);
        auto v = json::parse(r.body);
        REQUIRE(v.at("items").as_array().size() == 3);
        CHECK(c.aliases() == std::vector<std::string>{"Alpha", "beta", "gamma"});
        auto first = c.list().at("items").at(0).as_object();
        CHECK(first.at("apiKeyHash").as_string() == hash_of('a'));
        CHECK(first.at("updatedAtMs").as_int64() > 0); // 0 sent: the server's clock
        auto second = c.list().at("items").at(1).as_object();
        CHECK(second.at("updatedAtMs").as_int64() == 42);                               // kept
        CHECK(c.list().at("items").at(2).at("apiKeyHash").as_string() == hash_of('c')); // lower-cased

        // An upsert renames; nothing else is touched.
        REQUIRE(c.put(items({item('a', "zeta", 7)})).status == 200);
        CHECK(c.aliases() == std::vector<std::string>{"beta", "gamma", "zeta"});
        // An empty list is valid and returns every row.
        auto empty = c.put(items({}));
        REQUIRE(empty.status == 200);
        CHECK(json::parse(empty.body).at("items").as_array().size() == 3);
    }

    SECTION("every 400, and a failing request changes nothing")
    {
        REQUIRE(c.put(items({item('a', "alpha")})).status == 200);

        check_error(c.put("{}"), "api_key_aliases_required");
        check_error(c.put(R"({"items":null})"), "api_key_aliases_required");
        CHECK(json::parse(c.put("{}").body).at("error").as_string() == "api key aliases are required");
        check_error(c.put("{not json"), "request_failed");
        check_error(c.put(items({R"({"apiKeyHash":"abc","alias":"x"})"})), "request_failed");
        check_error(c.put(items({item('g', "x")})), "request_failed"); // 'g' is not hex
        check_error(c.put(items({item('b', "")})), "request_failed");
        check_error(c.put(items({item('b', "   ")})), "request_failed");
        check_error(c.put(items({item('b', std::string(121, 'x'))})), "request_failed");

        // 120 runes of three bytes each are fine (360 bytes); 121 are not.
        std::string runes;
        for (int i = 0; i < 120; ++i)
            runes += "\xe5\x9b\xa2";
        check_error(c.put(items({item('b', runes + "\xe5\x9b\xa2")})), "request_failed");
        REQUIRE(c.put(items({item('b', runes)})).status == 200);

        auto dup = c.put(items({item('c', "same"), item('d', "SAME")}));
        check_error(dup, "api_key_alias_duplicate");
        CHECK(json::parse(dup.body).at("error").as_string() == "api key alias already exists");
        check_error(c.put(items({item('c', "ALPHA")})), "api_key_alias_duplicate");

        // Atomic: good items before a bad last one are not written.
        check_error(c.put(items({item('e', "echo"), item('a', "renamed"), item('f', "")})), "request_failed");
        check_error(
            c.put(items({item('e', "echo"), item('a', "renamed"), item('f', "echo")})),
            "api_key_alias_duplicate"
        );
        auto now = c.aliases();
        CHECK(now == std::vector<std::string>{"alpha", runes});
    }

    SECTION("an orphan's alias is freed only when cleanup is allowed and the owner is inactive")
    {
        REQUIRE(c.put(items({item('a', "alpha"), item('b', "beta")})).status == 200);
        const std::string active_b =
            ",\"activeApiKeyHashes\":[\"" + hash_of('B') + "\",\"" + hash_of('c') + "\"]";

        check_error(c.put(items({item('c', "Alpha")}, active_b)), "api_key_alias_duplicate");
        check_error(
            c.put(items({item('c', "Alpha")}, ",\"allowOrphanAliasCleanup\":true")), "api_key_alias_duplicate"
        );
        check_error(
            c.put(items({item('c', "beta")}, active_b + ",\"allowOrphanAliasCleanup\":true")),
            "api_key_alias_duplicate"
        ); // b is active
        CHECK(c.aliases() == std::vector<std::string>{"alpha", "beta"});

        auto r = c.put(items({item('c', "Alpha")}, active_b + ",\"allowOrphanAliasCleanup\":true"));
        REQUIRE(r.status == 200);
        auto list = c.list().at("items").as_array();
        REQUIRE(list.size() == 2);
        CHECK(list.at(0).at("apiKeyHash").as_string() == hash_of('c'));
        CHECK(list.at(0).at("alias").as_string() == "Alpha");
        CHECK(list.at(1).at("apiKeyHash").as_string() == hash_of('b'));
    }
}

TEST_CASE("aliases: DELETE, auth and methods", "[daemon][aliases]")
{
    running_daemon d({{"CPA_MANAGER_ADMIN_KEY", admin_key}});
    client c{d.client()};
    REQUIRE(c.put(items({item('a', "alpha"), item('b', "beta")})).status == 200);

    auto del = c.c.request("DELETE", path + "/" + std::string(64, 'A'), {}, admin());
    CHECK(del.status == 200);
    CHECK(json::parse(del.body) == json::parse(R"({"ok":true})"));
    CHECK(c.aliases() == std::vector<std::string>{"beta"});
    // Deleting what is not there is fine too.
    CHECK(c.c.request("DELETE", path + "/" + hash_of('f'), {}, admin()).status == 200);
    check_error(c.c.request("DELETE", path + "/abc", {}, admin()), "request_failed");
    check_error(c.c.request("DELETE", path + "/" + std::string(64, 'z'), {}, admin()), "request_failed");

    for (const auto& [method, target] : std::vector<std::pair<std::string, std::string>>{
             {"GET", path}, {"PUT", path}, {"DELETE", path + "/" + hash_of('b')}})
    {
        auto r = c.c.request(method, target, method == "PUT" ? items({}) : "");
        CHECK(r.status == 401);
        CHECK(json::parse(r.body).at("code").as_string() == "invalid_admin_key");
        auto wrong = c.c.request(method, target, {}, {{"Authorization", "Bearer nope"}});
        CHECK(wrong.status == 401);
    }
    CHECK(c.aliases() == std::vector<std::string>{"beta"});

    for (const auto& [method, target] : std::vector<std::pair<std::string, std::string>>{
             {"POST", path}, {"PATCH", path}, {"DELETE", path}, {"GET", path + "/" + hash_of('b')}})
    {
        auto r = c.c.request(method, target, {}, admin());
        CHECK(r.status == 405);
        CHECK(json::parse(r.body).at("code").as_string() == "method_not_allowed");
    }
}
