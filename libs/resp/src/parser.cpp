#include <charconv>
#include <cpamd/resp/parser.hpp>
#include <cstring>
#include <limits>

namespace cpamd::resp
{
namespace
{

// Per-element overhead charged against limits::max_frame, so "*1000000\r\n" of empty bulks is
// not free.
constexpr std::size_t element_overhead = 16;

// Strict decimal int64: optional '-', at least one digit, nothing else.
bool parse_int(std::string_view s, std::int64_t& out)
{
    if (s.empty() || s.size() > 20)
        return false;
    auto first = s.data();
    auto last = s.data() + s.size();
    if (*first == '+')
        return false;
    auto [ptr, ec] = std::from_chars(first, last, out);
    return ec == std::errc{} && ptr == last;
}

} // namespace

const char* describe(errc e)
{
    switch (e)
    {
    case errc::none:
        return "no error";
    case errc::bad_type_byte:
        return "unexpected type byte";
    case errc::bad_line:
        return "malformed or overlong line";
    case errc::bad_integer:
        return "invalid integer";
    case errc::bad_length:
        return "invalid length";
    case errc::bulk_too_large:
        return "bulk length above limit";
    case errc::too_many_elements:
        return "array length above limit";
    case errc::too_deep:
        return "arrays nested too deeply";
    case errc::frame_too_large:
        return "frame above size limit";
    case errc::bad_bulk_end:
        return "bulk string not terminated by CRLF";
    }
    return "unknown error";
}

parser::parser(limits l) : limits_(l) {}

void parser::reset()
{
    state_ = state::line;
    line_.clear();
    bulk_ = value{};
    bulk_need_ = 0;
    bulk_end_seen_ = 0;
    stack_.clear();
    frame_bytes_ = 0;
    result_ = value{};
    started_ = false;
    error_ = errc::none;
}

parser::status parser::fail(errc e)
{
    error_ = e;
    return status::error;
}

value parser::take()
{
    value v = std::move(result_);
    result_ = value{};
    started_ = false;
    frame_bytes_ = 0;
    return v;
}

bool parser::complete(value v)
{
    while (true)
    {
        if (stack_.empty())
        {
            result_ = std::move(v);
            return true;
        }
        auto& top = stack_.back();
        top.v.elements.push_back(std::move(v));
        if (top.v.elements.size() < top.expected)
            return false;
        v = std::move(top.v);
        stack_.pop_back();
    }
}

parser::status parser::feed(std::string_view& in)
{
    if (error_ != errc::none)
        return status::error;
    while (!in.empty())
    {
        started_ = true;
        if (state_ == state::line)
        {
            // Scan for LF; a CR may be the last byte of the previous chunk.
            const char* nl = static_cast<const char*>(std::memchr(in.data(), '\n', in.size()));
            std::size_t take_n = nl ? static_cast<std::size_t>(nl - in.data()) : in.size();
            if (line_.size() + take_n > limits_.max_line + 1)
                return fail(errc::bad_line);
            if (line_.empty())
            {
                char t = in.front();
                if (t != '+' && t != '-' && t != ':' && t != '$' && t != '*')
                    return fail(errc::bad_type_byte);
            }
            line_.append(in.data(), take_n);
            in.remove_prefix(take_n);
            if (!nl)
                return status::need_more;
            in.remove_prefix(1); // the LF
            if (line_.empty() || line_.back() != '\r')
                return fail(errc::bad_line);
            line_.pop_back();
            if (line_.empty())
                return fail(errc::bad_type_byte);
            status s = on_line();
            line_.clear();
            if (s != status::need_more)
                return s;
            continue;
        }
        if (state_ == state::bulk)
        {
            std::size_t n = std::min(bulk_need_, in.size());
            bulk_.text.append(in.data(), n);
            in.remove_prefix(n);
            bulk_need_ -= n;
            if (bulk_need_ == 0)
                state_ = state::bulk_end;
            continue;
        }
        // state::bulk_end: expect exactly "\r\n".
        char expected = bulk_end_seen_ == 0 ? '\r' : '\n';
        if (in.front() != expected)
            return fail(errc::bad_bulk_end);
        in.remove_prefix(1);
        if (++bulk_end_seen_ < 2)
            continue;
        bulk_end_seen_ = 0;
        state_ = state::line;
        if (complete(std::move(bulk_)))
        {
            bulk_ = value{};
            return status::done;
        }
        bulk_ = value{};
    }
    return status::need_more;
}

parser::status parser::on_line()
{
    const char type = line_.front();
    std::string_view body(line_.data() + 1, line_.size() - 1);
    frame_bytes_ += element_overhead + body.size();
    if (frame_bytes_ > limits_.max_frame)
        return fail(errc::frame_too_large);
    value v;
    switch (type)
    {
    case '+':
    case '-':
        v.type = type == '+' ? kind::simple_string : kind::error;
        v.text.assign(body);
        break;
    case ':':
        v.type = kind::integer;
        if (!parse_int(body, v.integer))
            return fail(errc::bad_integer);
        break;
    case '$':
    {
        std::int64_t len = 0;
        if (!parse_int(body, len))
            return fail(errc::bad_integer);
        if (len == -1)
        {
            v.type = kind::null_bulk;
            break;
        }
        if (len < 0)
            return fail(errc::bad_length);
        if (static_cast<std::uint64_t>(len) > limits_.max_bulk)
            return fail(errc::bulk_too_large);
        frame_bytes_ += static_cast<std::size_t>(len);
        if (frame_bytes_ > limits_.max_frame)
            return fail(errc::frame_too_large);
        bulk_ = value{};
        bulk_.type = kind::bulk_string;
        // Reserve at most 64 KiB up front: the declared length is a claim, not data.
        bulk_.text.reserve(std::min<std::size_t>(static_cast<std::size_t>(len), 64 * 1024));
        bulk_need_ = static_cast<std::size_t>(len);
        bulk_end_seen_ = 0;
        state_ = bulk_need_ == 0 ? state::bulk_end : state::bulk;
        return status::need_more;
    }
    case '*':
    {
        std::int64_t n = 0;
        if (!parse_int(body, n))
            return fail(errc::bad_integer);
        if (n == -1)
        {
            v.type = kind::null_array;
            break;
        }
        if (n < 0)
            return fail(errc::bad_length);
        if (static_cast<std::uint64_t>(n) > limits_.max_elements)
            return fail(errc::too_many_elements);
        v.type = kind::array;
        if (n == 0)
            break;
        if (stack_.size() + 1 > limits_.max_depth)
            return fail(errc::too_deep);
        if (frame_bytes_ + static_cast<std::size_t>(n) * element_overhead > limits_.max_frame)
            return fail(errc::frame_too_large);
        v.elements.reserve(std::min<std::size_t>(static_cast<std::size_t>(n), 1024));
        stack_.push_back(open_array{std::move(v), static_cast<std::size_t>(n)});
        return status::need_more;
    }
    default:
        return fail(errc::bad_type_byte);
    }
    return complete(std::move(v)) ? status::done : status::need_more;
}

} // namespace cpamd::resp
