#include "content_coding.hpp"

#include <boost/algorithm/string/predicate.hpp>
#include <charconv>
#include <cpamd/core/ascii.hpp>
#include <optional>

namespace cpamd::api
{
namespace
{

constexpr int q_max = 1000; // q-values in thousandths: "0.5" is 500
using ascii::trim;          // a header value holds no CR or LF, so this trims OWS (space, tab)

// RFC 9110 §12.4.2: qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ).
std::optional<int> parse_qvalue(std::string_view s)
{
    if (s.empty() || (s[0] != '0' && s[0] != '1'))
        return std::nullopt;
    int q = (s[0] - '0') * q_max;
    if (s.size() == 1)
        return q;
    if (s[1] != '.' || s.size() > 5)
        return std::nullopt;
    int scale = q_max / 10;
    for (char c : s.substr(2))
    {
        if (c < '0' || c > '9')
            return std::nullopt;
        q += (c - '0') * scale;
        scale /= 10;
    }
    return q <= q_max ? std::optional<int>(q) : std::nullopt;
}

// One list member, "coding *( OWS ";" OWS name=value )": its coding and q (1 unless given).
// Nullopt for a member whose q does not parse: it is ignored, as if absent.
std::optional<std::pair<std::string_view, int>> parse_member(std::string_view member)
{
    const auto semicolon = member.find(';');
    const auto coding = trim(member.substr(0, semicolon));
    int q = q_max;
    for (auto rest = semicolon == std::string_view::npos ? std::string_view{} : member.substr(semicolon + 1);
         !rest.empty();)
    {
        const auto next = rest.find(';');
        const auto param = trim(rest.substr(0, next));
        rest = next == std::string_view::npos ? std::string_view{} : rest.substr(next + 1);
        if (param.size() >= 2 && (param[0] == 'q' || param[0] == 'Q') && param[1] == '=')
        {
            const auto parsed = parse_qvalue(trim(param.substr(2)));
            if (!parsed)
                return std::nullopt;
            q = *parsed;
        }
    }
    return std::pair{coding, q};
}

} // namespace

content_coding choose_content_coding(std::string_view accept_encoding)
{
    // -1: not named in the header.
    int brotli = -1, gzip = -1, identity = -1, any = -1;
    for (auto rest = accept_encoding; !rest.empty();)
    {
        const auto comma = rest.find(',');
        const auto member = parse_member(rest.substr(0, comma));
        rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
        if (!member)
            continue;
        const auto& [coding, q] = *member;
        if (boost::algorithm::iequals(coding, "br"))
            brotli = q;
        else if (boost::algorithm::iequals(coding, "gzip") || boost::algorithm::iequals(coding, "x-gzip"))
            gzip = q;
        else if (boost::algorithm::iequals(coding, "identity"))
            identity = q;
        else if (coding == "*")
            any = q;
    }
    const auto weight = [any](int named, int otherwise) {
        return named >= 0 ? named : any >= 0 ? any : otherwise;
    };
    // Identity unnamed is still acceptable (it is the fallback below) but never preferred: a client
    // that lists codings wants one of them.
    const int b = weight(brotli, 0), g = weight(gzip, 0), i = weight(identity, 0);
    if (b > 0 && b >= g && b >= i)
        return content_coding::brotli;
    if (g > 0 && g >= i)
        return content_coding::gzip;
    return content_coding::identity;
}

} // namespace cpamd::api
