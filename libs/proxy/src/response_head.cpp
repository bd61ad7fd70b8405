#include <algorithm>
#include <boost/beast/http/error.hpp>
#include <cpamd/proxy/response_head.hpp>
#include <cstring>

namespace cpamd::proxy
{

namespace bhttp = boost::beast::http;

response_head::field_view response_head::field(std::size_t i) const
{
    const auto& e = fields_[i];
    const std::string_view text(text_);
    const auto value_at = e.at + e.name_size + 2;
    return {
        e.code,
        text.substr(e.at, e.name_size),
        text.substr(value_at, e.value_size),
        text.substr(e.at, e.name_size + 2 + e.value_size + 2)};
}

std::string_view response_head::value(bhttp::field code) const
{
    for (const auto& e : fields_)
        if (e.code == code)
            return std::string_view(text_).substr(e.at + e.name_size + 2, e.value_size);
    return {};
}

void response_head::set_status_line(unsigned status, std::string_view reason, unsigned version)
{
    status_ = status;
    reason_.assign(reason);
    version_ = version;
    // A status line starts a head: no fields yet, whatever this object held before.
    text_.clear();
    fields_.clear();
}

void response_head::add_field(bhttp::field code, std::string_view name, std::string_view value)
{
    // Offsets are 32-bit: a head is bounded by the parser's header limit, far below that.
    const auto at = static_cast<std::uint32_t>(text_.size());
    if (text_.empty())
        text_.reserve(256);
    // The line sized at once and filled in place: four appends cost as much as the copying.
    text_.append(name.size() + value.size() + 4, ' ');
    char* line = text_.data() + at;
    std::memcpy(line, name.data(), name.size());
    line[name.size()] = ':';
    std::memcpy(line + name.size() + 2, value.data(), value.size());
    line[name.size() + 2 + value.size()] = '\r';
    line[name.size() + 3 + value.size()] = '\n';
    fields_.push_back(
        {code, at, static_cast<std::uint32_t>(name.size()), static_cast<std::uint32_t>(value.size())}
    );
}

void response_head_parser::on_request_impl(bhttp::verb, string_view, string_view, int, error_code& ec)
{
    // basic_parser<false> reads status lines only; never called.
    ec = bhttp::error::bad_method;
}

void response_head_parser::on_response_impl(int code, string_view reason, int version, error_code&)
{
    head_.set_status_line(
        static_cast<unsigned>(code),
        std::string_view(reason.data(), reason.size()),
        static_cast<unsigned>(version)
    );
}

void response_head_parser::on_field_impl(bhttp::field code, string_view name, string_view value, error_code&)
{
    head_.add_field(
        code, std::string_view(name.data(), name.size()), std::string_view(value.data(), value.size())
    );
}

std::size_t response_head_parser::on_body_impl(string_view body, error_code& ec)
{
    const auto n = std::min(body.size(), body_room_);
    if (n > 0)
        std::memcpy(body_data_, body.data(), n);
    body_data_ += n;
    body_room_ -= n;
    if (n < body.size())
        ec = bhttp::error::need_buffer;
    return n;
}

} // namespace cpamd::proxy
