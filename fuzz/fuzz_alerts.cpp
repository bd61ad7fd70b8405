// libFuzzer entry point for the alerts' two parsers of outside input: the alerts configuration
// (alerts::parse_alerts, from the admin API and config.json) and the SMTP client's reply lines
// (from whatever server a sink names). Also linked into a plain g++ replay test (test/unit/alerts).
//
// The input's first byte picks the parser. Properties: no crash or sanitizer report; a configuration
// that parses survives the stored form (sealed, then opened) and the answered form (masked, then sent
// back, which keeps every secret) unchanged; a reply is taken line by line until it ends or breaks,
// never beyond the reply limit, and its error text is short and free of control characters.

#include "smtp_dialog.hpp"

#include <array>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cpamd/alerts/alert_config.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace
{

namespace json = boost::json;
using namespace cpamd::alerts;

const cpamd::security::secret_box& box()
{
    static const std::array<unsigned char, 32> key{1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11,
                                                   12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22,
                                                   23, 24, 25, 26, 27, 28, 29, 30, 31, 32};
    static const cpamd::security::secret_box b(key);
    return b;
}

void require(bool ok)
{
    if (!ok)
        std::abort();
}

void config(std::string_view text)
{
    boost::system::error_code ec;
    auto v = json::parse(text, ec);
    if (ec)
        return;
    auto parsed = parse_alerts(v, nullptr);
    require(parsed.ok.has_value() != parsed.error.has_value());
    if (!parsed.ok)
    {
        require(parsed.error->status == 400 && !parsed.error->message.empty());
        return;
    }
    const auto& c = *parsed.ok;
    auto reopened = open_stored_alerts(serialize_stored_alerts(c, box()), box());
    require(reopened.ok.has_value());
    require(*reopened.ok == c);
    auto sent_back = parse_alerts(public_alerts(c), &c);
    require(sent_back.ok && *sent_back.ok == c);
}

void reply(std::string_view text)
{
    detail::smtp_reply r;
    std::size_t taken = 0;
    while (!text.empty())
    {
        auto end = text.find('\n');
        auto line = text.substr(0, end);
        if (!line.empty() && line.back() == '\r')
            line.remove_suffix(1);
        taken += line.size();
        if (taken > detail::max_reply_bytes)
            break;
        const auto state = detail::add_reply_line(r, line);
        if (state != detail::reply_line::more)
            break;
        text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
    }
    const auto t = detail::reply_text(r);
    require(t.size() <= 500);
    for (unsigned char c : t)
        require(c >= 0x20 && c != 0x7f);
    (void)detail::parse_ehlo(r);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (size == 0)
        return 0;
    std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
    if (data[0] % 2 == 0)
        config(input);
    else
        reply(input);
    return 0;
}
