#include <cpamd/usage/go_object_writer.hpp>

namespace cpamd::usage
{

void go_object_writer::str(std::string_view key, std::string_view v)
{
    name(key);
    append_go_string(out_, v);
}

void go_object_writer::num(std::string_view key, std::int64_t v)
{
    name(key);
    append_go_int(out_, v);
}

void go_object_writer::boolean(std::string_view key, bool v)
{
    name(key);
    out_ += v ? "true" : "false";
}

void go_object_writer::opt_str(std::string_view key, std::string_view v)
{
    if (!v.empty())
        str(key, v);
}

void go_object_writer::opt_num(std::string_view key, const std::optional<std::int64_t>& v)
{
    if (v)
        num(key, *v);
}

void go_object_writer::opt_float(std::string_view key, const std::optional<double>& v)
{
    if (!v)
        return;
    name(key);
    append_go_float(out_, *v);
}

void go_object_writer::nonzero_num(std::string_view key, const std::optional<std::int64_t>& v)
{
    if (v && *v != 0)
        num(key, *v);
}

std::string& go_object_writer::raw(std::string_view key)
{
    name(key);
    return out_;
}

void go_object_writer::name(std::string_view key)
{
    if (!first_)
        out_.push_back(',');
    first_ = false;
    out_.push_back('"');
    out_ += key;
    out_ += "\":";
}

} // namespace cpamd::usage
