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

std::size_t skip_space(std::string_view body, std::size_t i)
{
    while (i < body.size() && is_space(body[i]))
        ++i;
    return i;
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

// The end of the value starting at body[i], by its shape only: each item the caller keeps is then
// parsed on its own, so a malformed one is still refused.
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

std::optional<std::string> split_queue_reply(std::string_view body, std::size_t max, queue_items& out)
{
    queue_items items;
    std::size_t i = skip_space(body, 0);
    if (i >= body.size() || body[i] != '[')
        return std::string("usage-queue reply is not a JSON array");
    i = skip_space(body, i + 1);
    std::size_t excess_begin = 0, excess_end = 0;
    std::size_t index = 0;
    if (i < body.size() && body[i] == ']')
        ++i;
    else
        for (;;)
        {
            if (i >= body.size())
                return std::string("usage-queue reply ends inside its array");
            const std::size_t end = skip_value(body, i);
            if (end == i)
                return "usage-queue reply: item " + std::to_string(index) + " is empty";
            auto text = body.substr(i, end - i);
            if (index < max)
            {
                boost::system::error_code ec;
                auto v = boost::json::parse(text, ec);
                if (ec)
                    return "usage-queue reply: item " + std::to_string(index) +
                           " is not JSON: " + ec.message();
                if (v.is_string())
                    items.records.emplace_back(v.as_string());
                else
                    items.records.emplace_back(text);
            }
            else
            {
                if (items.excess_items++ == 0)
                    excess_begin = i;
                excess_end = end;
            }
            ++index;
            i = skip_space(body, end);
            if (i < body.size() && body[i] == ',')
            {
                i = skip_space(body, i + 1);
                continue;
            }
            if (i < body.size() && body[i] == ']')
            {
                ++i;
                break;
            }
            return "usage-queue reply: no ',' or ']' after item " + std::to_string(index - 1);
        }
    if (skip_space(body, i) != body.size())
        return std::string("usage-queue reply has bytes after its array");
    if (items.excess_items)
        items.excess = body.substr(excess_begin, excess_end - excess_begin);
    out = std::move(items);
    return std::nullopt;
}

} // namespace cpamd::collector_http
