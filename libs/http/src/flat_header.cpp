#include <algorithm>
#include <cpamd/http/flat_header.hpp>

namespace cpamd::http
{
namespace
{

namespace bhttp = boost::beast::http;

void append_version(unsigned version, std::string& out)
{
    out += "HTTP/";
    out += static_cast<char>('0' + version / 10);
    out += '.';
    out += static_cast<char>('0' + version % 10);
}

void append_fields(const bhttp::fields& fields, std::string& out)
{
    for (const auto& f : fields)
        append_field(f, out);
    out += "\r\n";
}

} // namespace

void append_field(std::string_view name, std::string_view value, std::string& out)
{
    const auto at = out.size();
    out.resize(at + name.size() + value.size() + 4);
    char* p = out.data() + at;
    p = std::copy(name.begin(), name.end(), p);
    *p++ = ':';
    *p++ = ' ';
    p = std::copy(value.begin(), value.end(), p);
    *p++ = '\r';
    *p = '\n';
}

void append_field(const bhttp::fields::value_type& field, std::string& out)
{
    // Beast keeps each field as its whole line, "<name>: <value>\r\n": copied in one piece
    // when the layout is that one (checked, not assumed).
    const auto name = field.name_string();
    const auto value = field.value();
    if (value.data() == name.data() + name.size() + 2)
        out.append(name.data(), name.size() + 2 + value.size() + 2);
    else
        append_field(name, value, out);
}

void append_request_line(std::string_view method, std::string_view target, std::string& out)
{
    out += method;
    out += ' ';
    out += target;
    out += " HTTP/1.1\r\n";
}

void append_header(const bhttp::request_header<>& h, std::string& out)
{
    out += h.method_string();
    out += ' ';
    out += h.target();
    out += ' ';
    append_version(h.version(), out);
    out += "\r\n";
    append_fields(h, out);
}

void append_header(const bhttp::response_header<>& h, std::string& out)
{
    append_status_line(h.version(), h.result_int(), h.reason(), out);
    append_fields(h, out);
}

void append_status_line(unsigned version, unsigned code, std::string_view reason, std::string& out)
{
    append_version(version, out);
    const char digits[] = {
        ' ',
        static_cast<char>('0' + code / 100),
        static_cast<char>('0' + code / 10 % 10),
        static_cast<char>('0' + code % 10),
        ' '};
    out.append(digits, sizeof digits);
    // An unset reason is the standard one, as Beast's serializer does.
    out +=
        reason.empty() ? std::string_view(bhttp::obsolete_reason(static_cast<bhttp::status>(code))) : reason;
    out += "\r\n";
}

void append_chunk_size(std::size_t size, std::string& out)
{
    static constexpr char hex[] = "0123456789abcdef";
    char digits[2 * sizeof size];
    int n = 0;
    do
    {
        digits[n++] = hex[size & 0xF];
        size >>= 4;
    } while (size != 0);
    while (n > 0)
        out += digits[--n];
    out += "\r\n";
}

} // namespace cpamd::http
