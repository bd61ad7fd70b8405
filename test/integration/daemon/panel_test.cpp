// How /management.html is served (issue 20, docs/http.md "The panel"): the panel built into cpamd in
// the coding Accept-Encoding picks, ETag and If-None-Match, the Content-Security-Policy and the
// other headers, PANEL_PATH overriding it, and the placeholder page of a build without the panel.
// Which of the two a build has is told by CPAMD_TEST_PANEL_HTML (the file it embedded).

#include <array>
#include <catch2/catch.hpp>
#include <cpamd/test/daemon.hpp>
#include <cpamd/usage/sha256.hpp>
#include <fstream>
#include <sstream>
#include <thread>

using namespace std::chrono_literals;
using cpamd::test::http_reply;
using cpamd::test::running_daemon;

namespace
{

void write_file(const std::filesystem::path& p, const std::string& text)
{
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out << text;
}

http_reply get_page(running_daemon& d, const std::map<std::string, std::string>& headers = {})
{
    return d.client().get("/management.html", headers);
}

// The raw head of a HEAD request (the test client cannot read a HEAD response's missing body).
std::string head_of_page(running_daemon& d, const std::string& accept_encoding)
{
    auto c = d.client();
    c.send_raw(
        "HEAD /management.html HTTP/1.1\r\nHost: x\r\nAccept-Encoding: " + accept_encoding +
        "\r\nConnection: close\r\n\r\n"
    );
    return c.read_raw();
}

// Every header a panel answer carries, whatever its source.
void check_common_headers(const http_reply& r)
{
    CHECK(r.header("cache-control") == "no-cache");
    CHECK(r.header("vary") == "Accept-Encoding");
    CHECK(r.header("x-content-type-options") == "nosniff");
    CHECK(r.header("referrer-policy") == "no-referrer");
    CHECK(r.header("x-frame-options") == "DENY");
    CHECK(r.header("content-security-policy").find("frame-ancestors 'none'") != std::string::npos);
    CHECK(r.header("content-security-policy").find("base-uri 'none'") != std::string::npos);
    CHECK(r.header("etag").size() > 2);
    CHECK(r.header("etag").starts_with('"')); // strong
}

// If-None-Match with the answer's own ETag: 304, no body, the same validators and policy.
void check_revalidation(
    running_daemon& d, const http_reply& first, std::map<std::string, std::string> headers = {}
)
{
    headers["If-None-Match"] = first.header("etag");
    auto again = get_page(d, headers);
    CHECK(again.status == 304);
    CHECK(again.body.empty());
    CHECK(again.header("etag") == first.header("etag"));
    CHECK(again.header("content-security-policy") == first.header("content-security-policy"));
    check_common_headers(again);
}

} // namespace

TEST_CASE("GET / sends the browser to /management.html", "[daemon][panel]")
{
    running_daemon d;
    auto root = d.client().get("/");
    CHECK(root.status == 307);
    CHECK(root.header("location") == "/management.html");
}

TEST_CASE(
    "PANEL_PATH overrides the built-in page, is read again as it changes, and falls back", "[daemon][panel]"
)
{
    cpamd::test::temp_dir dir;
    const auto panel = dir.path() / "management.html";
    write_file(panel, "<!doctype html><title>panel one</title>");
    running_daemon d({{"PANEL_PATH", panel.string()}});
    auto c = d.client();

    // Served as it is, whatever the client accepts: cpamd has no compressed copy of it.
    auto page = c.get("/management.html", {{"Accept-Encoding", "gzip, br"}});
    CHECK(page.status == 200);
    CHECK(page.header("content-type") == "text/html; charset=utf-8");
    CHECK(page.header("content-encoding").empty());
    CHECK(page.body == "<!doctype html><title>panel one</title>");
    check_common_headers(page);
    // Its inline scripts are unknown: the policy refuses only what no panel needs.
    CHECK(page.header("content-security-policy").find("script-src") == std::string::npos);
    CHECK(page.header("content-security-policy").find("object-src 'none'") != std::string::npos);
    check_revalidation(d, page);

    // A new build shows at the next load, without a restart (a different size, and a later time).
    std::this_thread::sleep_for(20ms);
    write_file(panel, "<!doctype html><title>panel two, rebuilt</title>");
    auto rebuilt = c.get("/management.html", {{"If-None-Match", page.header("etag")}});
    CHECK(rebuilt.status == 200);
    CHECK(rebuilt.body == "<!doctype html><title>panel two, rebuilt</title>");
    CHECK(rebuilt.header("etag") != page.header("etag"));

    // Gone: the built-in page (the panel, or the page that says what to do), not a JSON 404.
    std::filesystem::remove(panel);
    auto missing = c.get("/management.html");
    CHECK(missing.status == 200);
    CHECK(missing.header("content-type") == "text/html; charset=utf-8");
    CHECK(missing.header("content-security-policy").find("default-src 'none'") == 0);
    running_daemon without_panel_path;
    CHECK(missing.body == get_page(without_panel_path).body);
}

#ifndef CPAMD_TEST_PANEL_HTML

TEST_CASE("built without the panel, /management.html says how to get one", "[daemon][panel]")
{
    running_daemon d;
    auto page = get_page(d, {{"Accept-Encoding", "br, gzip"}});
    CHECK(page.status == 200);
    CHECK(page.header("content-type") == "text/html; charset=utf-8");
    CHECK(page.header("content-encoding").empty());
    CHECK(page.body.find("<!doctype html>") == 0);
    CHECK(page.body.find("CPAMD_PANEL") != std::string::npos);
    CHECK(page.body.find("PANEL_PATH") != std::string::npos);
    check_common_headers(page);
    // No script at all; its one inline style.
    CHECK(page.header("content-security-policy").find("default-src 'none'; style-src 'unsafe-inline'") == 0);
    check_revalidation(d, page);

    const auto head = head_of_page(d, "br");
    CHECK(head.rfind("HTTP/1.1 200", 0) == 0);
    CHECK(head.find("\r\nContent-Length: " + std::to_string(page.body.size()) + "\r\n") != std::string::npos);
    CHECK(head.ends_with("\r\n\r\n"));
}

#else

namespace
{

std::string read_file(const std::filesystem::path& p)
{
    std::ifstream in(p, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return std::move(text).str();
}

// Runs a shell command line; true when it exits 0.
bool run(const std::string& command_line)
{
    cpamd::test::child_process p("/bin/sh", {.args = {"-c", command_line}});
    const auto code = p.wait(30s);
    if (code != 0)
        UNSCOPED_INFO(command_line << ": " << p.output());
    return code == 0;
}

// Decoded with tools other than the ones that encoded it where there are any: gzip(1) for gzip,
// Node's zlib for brotli (Debian bookworm ships no brotli CLI in the build dependencies).
std::string decode(const std::string& body, const std::string& coding)
{
    cpamd::test::temp_dir dir;
    const auto in = dir.path() / "in", out = dir.path() / "out";
    write_file(in, body);
    const auto quoted = [](const std::filesystem::path& p) { return "'" + p.string() + "'"; };
    const bool ok =
        coding == "gzip"
            ? run("gzip -dc < " + quoted(in) + " > " + quoted(out))
            : run(quoted(CPAMD_TEST_NODE) +
                  " -e 'const [i, o] = process.argv.slice(1), fs = require(\"fs\");"
                  " fs.writeFileSync(o, require(\"zlib\").brotliDecompressSync(fs.readFileSync(i)))' " +
                  quoted(in) + " " + quoted(out));
    REQUIRE(ok);
    return read_file(out);
}

std::string base64(const std::array<unsigned char, 32>& bytes)
{
    static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    for (std::size_t i = 0; i < bytes.size(); i += 3)
    {
        const unsigned n = bytes[i] << 16 | (i + 1 < bytes.size() ? bytes[i + 1] << 8 : 0) |
                           (i + 2 < bytes.size() ? bytes[i + 2] : 0);
        out += alphabet[n >> 18 & 63];
        out += alphabet[n >> 12 & 63];
        out += i + 1 < bytes.size() ? alphabet[n >> 6 & 63] : '=';
        out += i + 2 < bytes.size() ? alphabet[n & 63] : '=';
    }
    return out;
}

// The CSP source for each inline <tag> element's text, as a browser checks it.
std::vector<std::string> inline_hashes(const std::string& html, const std::string& tag)
{
    std::vector<std::string> hashes;
    // Each element ends at the first "</tag" after it (as the HTML parser ends a raw text element).
    for (auto open = html.find("<" + tag); open != std::string::npos;)
    {
        const auto text = html.find('>', open) + 1;
        const auto close = html.find("</" + tag, text);
        REQUIRE(close != std::string::npos);
        hashes.push_back("'sha256-" + base64(cpamd::usage::sha256(html.substr(text, close - text))) + "'");
        open = html.find("<" + tag, close + 2);
    }
    return hashes;
}

} // namespace

TEST_CASE("the built-in panel is sent in the coding Accept-Encoding picks", "[daemon][panel]")
{
    running_daemon d;
    const auto built = read_file(CPAMD_TEST_PANEL_HTML);
    REQUIRE(built.size() > 100);

    auto identity = get_page(d);
    CHECK(identity.status == 200);
    CHECK(identity.header("content-type") == "text/html; charset=utf-8");
    CHECK(identity.header("content-encoding").empty());
    CHECK(identity.body == built);
    check_common_headers(identity);

    auto br = get_page(d, {{"Accept-Encoding", "br"}});
    CHECK(br.header("content-encoding") == "br");
    CHECK(br.body.size() < built.size());
    CHECK(decode(br.body, "br") == built);
    auto gzip = get_page(d, {{"Accept-Encoding", "gzip"}});
    CHECK(gzip.header("content-encoding") == "gzip");
    CHECK(decode(gzip.body, "gzip") == built);

    // One strong ETag per representation.
    CHECK(br.header("etag") != gzip.header("etag"));
    CHECK(br.header("etag") != identity.header("etag"));
    CHECK(gzip.header("etag") != identity.header("etag"));

    // What browsers send, q-values, q=0 ("not acceptable"), case, and what cannot be parsed.
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"gzip, deflate, br, zstd", "br"},
        {"gzip, deflate", "gzip"},
        {"deflate", ""},
        {"identity", ""},
        {"br;q=0, gzip", "gzip"},
        {"br; q=0 , gzip;q=0.001", "gzip"},
        {"br;q=0.5, gzip;q=0.8", "gzip"},
        {"gzip;q=0.1", "gzip"},
        {"br;q=0.5, gzip;q=0.8, identity;q=0.9", ""},
        {"br;Q=1.000, gzip;q=1", "br"},
        {"gzip;q=0, br;q=0", ""},
        {"*", "br"},
        {"*;q=0", ""},
        {"*;q=0, gzip", "gzip"},
        {"*;q=0.1, br;q=0", "gzip"},
        {"BR", "br"},
        {"x-gzip", "gzip"},
        {"br;q=1.5, gzip;q=2", ""},
        {"br;q=abc", ""},
        {",,, ;, br", "br"},
        {"", ""},
    };
    auto c = d.client();
    for (const auto& [accept, expected] : cases)
    {
        INFO("Accept-Encoding: " << accept);
        auto r = c.get("/management.html", {{"Accept-Encoding", accept}});
        CHECK(r.status == 200);
        CHECK(r.header("content-encoding") == expected);
        CHECK(
            r.header("etag") == (expected == "br"     ? br
                                 : expected == "gzip" ? gzip
                                                      : identity)
                                    .header("etag")
        );
    }

    // HEAD: GET's head, body left out.
    const auto head = head_of_page(d, "br");
    CHECK(head.rfind("HTTP/1.1 200", 0) == 0);
    CHECK(head.find("\r\nContent-Encoding: br\r\n") != std::string::npos);
    CHECK(head.find("\r\nContent-Length: " + std::to_string(br.body.size()) + "\r\n") != std::string::npos);
    CHECK(head.ends_with("\r\n\r\n"));
}

TEST_CASE("the built-in panel answers If-None-Match with 304", "[daemon][panel]")
{
    running_daemon d;
    for (const std::string coding : {"br", "gzip", "identity"})
    {
        INFO(coding);
        const std::map<std::string, std::string> accept = {{"Accept-Encoding", coding}};
        auto first = get_page(d, accept);
        REQUIRE(first.status == 200);
        check_revalidation(d, first, accept);
    }

    auto br = get_page(d, {{"Accept-Encoding", "br"}});
    const auto etag = br.header("etag");
    const auto status_with = [&](const std::string& if_none_match, const std::string& accept = "br") {
        return get_page(d, {{"Accept-Encoding", accept}, {"If-None-Match", if_none_match}}).status;
    };
    CHECK(status_with("\"other\", " + etag) == 304);
    CHECK(status_with("W/" + etag) == 304); // If-None-Match compares weakly
    CHECK(status_with("*") == 304);
    CHECK(status_with("\"other\"") == 200);
    CHECK(status_with("\"" + etag.substr(1, etag.size() - 2) + "x\"") == 200);
    CHECK(status_with("garbage") == 200);
    // Another coding's tag is another representation: the one asked for is sent.
    CHECK(status_with(etag, "gzip") == 200);
}

TEST_CASE("the built-in panel's CSP allows exactly its inline scripts and styles", "[daemon][panel]")
{
    running_daemon d;
    auto page = get_page(d);
    const auto csp = page.header("content-security-policy");
    INFO(csp);
    CHECK(csp.find("default-src 'none'; script-src 'sha256-") == 0);
    CHECK(csp.find("unsafe-inline") == std::string::npos);
    CHECK(csp.find("unsafe-eval") == std::string::npos);
    CHECK(csp.find("connect-src 'self'") != std::string::npos);
    CHECK(csp.find("form-action 'self'") != std::string::npos);
    const auto directive = [&](const std::string& name)
    {
        const auto start = csp.find(name + " ");
        return start == std::string::npos ? std::string() : csp.substr(start, csp.find(';', start) - start);
    };
    const auto scripts = inline_hashes(page.body, "script");
    CHECK(!scripts.empty());
    for (const auto& hash : scripts)
        CHECK(directive("script-src").find(hash) != std::string::npos);
    for (const auto& hash : inline_hashes(page.body, "style"))
        CHECK(directive("style-src").find(hash) != std::string::npos);
}

#endif
