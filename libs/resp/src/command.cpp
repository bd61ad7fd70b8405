#include <cpamd/resp/command.hpp>

namespace cpamd::resp
{

limits command_limits()
{
    limits l;
    l.max_bulk = 1024 * 1024;
    l.max_elements = 1024;
    l.max_depth = 1;
    l.max_frame = 4 * 1024 * 1024;
    l.max_line = 64 * 1024;
    return l;
}

command_status command_reader::feed(std::string_view& in, command& out)
{
    if (error_ != errc::none)
        return command_status::error;
    auto s = parser_.feed(in);
    if (s == parser::status::need_more)
        return command_status::need_more;
    if (s == parser::status::error)
        return command_status::error;
    value v = parser_.take();
    // Every command must be an array; its elements must be flat scalars.
    if (v.type != kind::array)
    {
        error_ = errc::bad_type_byte;
        return command_status::error;
    }
    out.clear();
    out.reserve(v.elements.size());
    for (auto& e : v.elements)
    {
        switch (e.type)
        {
        case kind::bulk_string:
        case kind::simple_string:
            out.push_back(std::move(e.text));
            break;
        case kind::null_bulk:
            out.emplace_back();
            break;
        case kind::integer:
            out.push_back(std::to_string(e.integer));
            break;
        default:
            error_ = errc::bad_type_byte;
            return command_status::error;
        }
    }
    return command_status::done;
}

std::string to_lower(std::string_view s)
{
    std::string out(s);
    for (auto& c : out)
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
    return out;
}

} // namespace cpamd::resp
