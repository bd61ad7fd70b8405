#include <cpamd/core/hex.hpp>
#include <cpamd/http/address_text.hpp>
#include <cpamd/http/exchange.hpp>

namespace cpamd::http
{
namespace
{

std::string percent_decode(std::string_view s, bool plus_is_space)
{
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i)
    {
        char c = s[i];
        if (c == '%' && i + 2 < s.size())
        {
            int hi = hex::digit_value(s[i + 1]), lo = hex::digit_value(s[i + 2]);
            if (hi >= 0 && lo >= 0)
            {
                out.push_back(static_cast<char>(hi * 16 + lo));
                i += 2;
                continue;
            }
        }
        out.push_back(plus_is_space && c == '+' ? ' ' : c);
    }
    return out;
}

} // namespace

exchange::exchange(request_header& header, std::string_view target, asio::ip::address client)
    : header_(header), target_(target), client_(std::move(client))
{
    std::string_view t = target_;
    auto q = t.find('?');
    path_ = t.substr(0, q);
    if (q != std::string_view::npos)
        query_ = t.substr(q + 1);
}

std::optional<std::string> exchange::query_value(std::string_view key) const
{
    std::string_view rest = query_;
    while (!rest.empty())
    {
        auto amp = rest.find('&');
        auto pair = rest.substr(0, amp);
        auto eq = pair.find('=');
        auto k = pair.substr(0, eq);
        if (decode_query_component(k) == key)
            return eq == std::string_view::npos ? std::string{} : decode_query_component(pair.substr(eq + 1));
        if (amp == std::string_view::npos)
            break;
        rest.remove_prefix(amp + 1);
    }
    return std::nullopt;
}

std::string_view exchange::header_value(std::string_view name) const
{
    auto it = header_.find(name);
    return it == header_.end() ? std::string_view{}
                               : std::string_view(it->value().data(), it->value().size());
}

std::string_view exchange::client_address_text() const
{
    std::string& text = memo_ ? memo_->client_address_text : address_text_;
    if (text.empty())
        text = address_text(client_);
    return text;
}

void connection_memo::forget_credential() noexcept
{
    // Through a volatile pointer, so the compiler cannot drop the stores as dead.
    volatile char* p = proven_credential.data();
    for (std::size_t i = 0; i < proven_credential.size(); ++i)
        p[i] = 0;
    proven_credential.clear();
    proven_generation = 0;
}

std::string_view exchange::param(std::string_view name) const
{
    for (const auto& [k, v] : params_)
        if (k == name)
            return v;
    return {};
}

std::string decode_query_component(std::string_view s)
{
    return percent_decode(s, true);
}

std::string decode_path(std::string_view s)
{
    return percent_decode(s, false);
}

bool is_clean_path(std::string_view path)
{
    if (path.empty() || path.front() != '/')
        return false;
    // Without a '%' the path is its own decoding: no copy.
    std::string decoded;
    if (path.find('%') != std::string_view::npos)
        decoded = decode_path(path);
    std::string_view rest = decoded.empty() ? path : std::string_view(decoded);
    if (rest.find('\0') != std::string_view::npos)
        return false;
    rest.remove_prefix(1);
    while (true)
    {
        auto slash = rest.find('/');
        auto seg = rest.substr(0, slash);
        if (seg == "." || seg == "..")
            return false;
        if (slash == std::string_view::npos)
            break;
        rest.remove_prefix(slash + 1);
    }
    return true;
}

} // namespace cpamd::http
