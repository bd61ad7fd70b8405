#include "queue_reply.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

namespace cpamd::collector_http
{
namespace
{

bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// The end of the string starting at body[i] == '"' (one past the closing quote).
std::size_t skip_string(std::string_view body, std::size_t i)
{
    for (++i; i < body.size(); ++i)
    {
        if (body[i] == '\\')
            ++i;
        else if (body[i] == '"')
            return i + 1;
    }
    return body.size();
}

// The end of the value starting at body[i]. The body was validated, so only the shape matters.
std::size_t skip_value(std::string_view body, std::size_t i)
{
    if (body[i] == '"')
        return skip_string(body, i);
    int depth = 0;
    while (i < body.size())
    {
        char c = body[i];
        if (c == '"')
        {
            i = skip_string(body, i);
            continue;
        }
        if (c == '{' || c == '[')
            ++depth;
        else if (c == '}' || c == ']')
        {
            if (depth == 0)
                return i; // the enclosing array's end
            if (--depth == 0)
                return i + 1;
        }
        else if (depth == 0 && (c == ',' || is_space(c)))
            return i;
        ++i;
    }
    return i;
}

} // namespace

std::optional<std::string> split_queue_reply(std::string_view body, std::vector<std::string>& out)
{
    boost::system::error_code ec;
    auto doc = boost::json::parse(body, ec);
    if (ec)
        return "usage-queue reply is not JSON: " + ec.message();
    if (!doc.is_array())
        return std::string("usage-queue reply is not a JSON array");

    // Items are taken from the text, not re-serialized, so the stored raw bytes are CPA's own.
    std::vector<std::string> items;
    items.reserve(doc.as_array().size());
    std::size_t i = body.find('[') + 1;
    std::size_t index = 0;
    while (i < body.size())
    {
        while (i < body.size() && (is_space(body[i]) || body[i] == ','))
            ++i;
        if (i >= body.size() || body[i] == ']')
            break;
        std::size_t end = skip_value(body, i);
        if (body[i] == '"')
            items.emplace_back(doc.as_array().at(index).as_string());
        else
            items.emplace_back(body.substr(i, end - i));
        ++index;
        i = end;
    }
    if (index != doc.as_array().size())
        return std::string("usage-queue reply could not be split into its items");
    for (auto& s : items)
        out.push_back(std::move(s));
    return std::nullopt;
}

} // namespace cpamd::collector_http
