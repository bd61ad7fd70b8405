#include "hostile_replies.hpp"

#include <cpamd/resp/encode.hpp>
#include <fmt/format.h>

namespace cpamd::sim
{
namespace
{

std::string item(std::size_t i)
{
    return fmt::format(R"({{"over_answer":{},"pad":"{:0>64}"}})", i, i);
}

} // namespace

std::string over_answer_json(std::size_t n)
{
    std::string out;
    out.reserve(n * 96 + 2);
    out += '[';
    for (std::size_t i = 0; i < n; ++i)
    {
        if (i)
            out += ',';
        out += item(i);
    }
    out += ']';
    return out;
}

std::string over_answer_resp(std::size_t n)
{
    std::string out;
    out.reserve(n * 104 + 16);
    resp::append_array_header(out, n);
    for (std::size_t i = 0; i < n; ++i)
        resp::append_bulk(out, item(i));
    return out;
}

std::string garbage_body(std::uint64_t number, std::size_t bytes)
{
    std::string out = fmt::format("<html>garbage reply {} ", number);
    out.reserve(bytes);
    for (std::size_t i = out.size(); i < bytes; ++i)
        out += static_cast<char>('!' + (i * 7 + number) % 90);
    out.resize(bytes);
    return out;
}

} // namespace cpamd::sim
