#include <charconv>
#include <cpamd/resp/encode.hpp>

namespace cpamd::resp
{
namespace
{

void append_header(std::string& out, char type, std::int64_t n)
{
    char buf[24];
    auto [ptr, ec] = std::to_chars(buf, buf + sizeof buf, n);
    (void)ec;
    out.push_back(type);
    out.append(buf, ptr);
    out.append("\r\n");
}

} // namespace

void append_simple(std::string& out, std::string_view s)
{
    out.push_back('+');
    out.append(s);
    out.append("\r\n");
}

void append_error(std::string& out, std::string_view s)
{
    out.push_back('-');
    out.append(s);
    out.append("\r\n");
}

void append_integer(std::string& out, std::int64_t n)
{
    append_header(out, ':', n);
}

void append_bulk(std::string& out, std::string_view s)
{
    append_header(out, '$', static_cast<std::int64_t>(s.size()));
    out.append(s);
    out.append("\r\n");
}

void append_null_bulk(std::string& out)
{
    out.append("$-1\r\n");
}

void append_array_header(std::string& out, std::size_t n)
{
    append_header(out, '*', static_cast<std::int64_t>(n));
}

void append_value(std::string& out, const value& v)
{
    switch (v.type)
    {
    case kind::simple_string:
        append_simple(out, v.text);
        break;
    case kind::error:
        append_error(out, v.text);
        break;
    case kind::integer:
        append_integer(out, v.integer);
        break;
    case kind::bulk_string:
        append_bulk(out, v.text);
        break;
    case kind::null_bulk:
        append_null_bulk(out);
        break;
    case kind::null_array:
        out.append("*-1\r\n");
        break;
    case kind::array:
        append_array_header(out, v.elements.size());
        for (const auto& e : v.elements)
            append_value(out, e);
        break;
    }
}

std::string encode_command(std::initializer_list<std::string_view> args)
{
    std::string out;
    append_array_header(out, args.size());
    for (auto a : args)
        append_bulk(out, a);
    return out;
}

std::string encode_message(std::string_view channel, std::string_view payload)
{
    std::string out;
    out.reserve(payload.size() + channel.size() + 32);
    append_array_header(out, 3);
    append_bulk(out, "message");
    append_bulk(out, channel);
    append_bulk(out, payload);
    return out;
}

std::string debug_string(const value& v)
{
    switch (v.type)
    {
    case kind::simple_string:
        return "+" + v.text;
    case kind::error:
        return "-" + v.text;
    case kind::integer:
        return ":" + std::to_string(v.integer);
    case kind::bulk_string:
        return "\"" + v.text + "\"";
    case kind::null_bulk:
        return "(nil)";
    case kind::null_array:
        return "(nil array)";
    case kind::array:
    {
        std::string s = "[";
        for (std::size_t i = 0; i < v.elements.size(); ++i)
        {
            if (i)
                s += ", ";
            s += debug_string(v.elements[i]);
        }
        return s + "]";
    }
    }
    return "?";
}

} // namespace cpamd::resp
