#include <array>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <cpamd/usage/redact.hpp>

namespace cpamd::usage
{

namespace
{

constexpr std::string_view redacted = "[redacted]";
constexpr std::size_t max_scan_bytes = 64 * 1024;

char lower(char c) noexcept
{
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool is_alpha(char c) noexcept
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool is_digit(char c) noexcept
{
    return c >= '0' && c <= '9';
}

// Characters of API keys, JWTs and identifiers.
bool is_token_char(char c) noexcept
{
    return is_alpha(c) || is_digit(c) || c == '_' || c == '-' || c == '.';
}

bool is_space(char c) noexcept
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

bool istarts_with(std::string_view s, std::string_view prefix) noexcept
{
    if (s.size() < prefix.size())
        return false;
    for (std::size_t i = 0; i < prefix.size(); ++i)
        if (lower(s[i]) != lower(prefix[i]))
            return false;
    return true;
}

// Key prefixes (case-sensitive: "AIza", "AKIA" and "eyJ" are only keys in that case).
constexpr std::array<std::string_view, 14> key_prefixes = {
    "sk-",
    "sk_",
    "AIza",
    "ya29.",
    "xai-",
    "gsk_",
    "ghp_",
    "gho_",
    "ghs_",
    "github_pat_",
    "hf_",
    "AKIA",
    "eyJ",
    "pk-"};

// Byte length of the first n code points of s (or all of s).
std::size_t utf8_prefix_len(std::string_view s, std::size_t n) noexcept
{
    std::size_t i = 0;
    for (std::size_t cp = 0; cp < n && i < s.size(); ++cp)
    {
        ++i;
        while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80)
            ++i;
    }
    return i;
}

// Byte offset where the last n code points of s start.
std::size_t utf8_suffix_pos(std::string_view s, std::size_t n) noexcept
{
    std::size_t i = s.size();
    for (std::size_t cp = 0; cp < n && i > 0; ++cp)
    {
        --i;
        while (i > 0 && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80)
            --i;
    }
    return i;
}

std::string_view trim(std::string_view s) noexcept
{
    while (!s.empty() && is_space(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && is_space(s.back()))
        s.remove_suffix(1);
    return s;
}

std::string mask_email(std::string_view s)
{
    std::size_t at = s.rfind('@');
    std::string_view local = s.substr(0, at);
    std::string out(local.substr(0, utf8_prefix_len(local, 3)));
    out += "***";
    out += s.substr(at);
    return out;
}

// Field names whose value is secret in free text (lower case, '-' already '_').
bool is_secret_field_name(std::string_view raw) noexcept
{
    if (raw.size() < 3 || raw.size() > 64)
        return false;
    char buf[64];
    for (std::size_t i = 0; i < raw.size(); ++i)
        buf[i] = raw[i] == '-' ? '_' : lower(raw[i]);
    std::string_view n(buf, raw.size());
    static constexpr std::array<std::string_view, 9> contains = {
        "api_key",
        "apikey",
        "secret",
        "password",
        "passwd",
        "authorization",
        "cookie",
        "credential",
        "session"};
    for (auto c : contains)
        if (n.find(c) != std::string_view::npos)
            return true;
    return n == "key" || n.ends_with("_key") || n.ends_with("token") || n == "auth";
}

// Length of an email domain at s (labels of [A-Za-z0-9-] joined by single dots, at least one
// dot), or 0.
std::size_t email_domain_len(std::string_view s) noexcept
{
    std::size_t i = 0, last_good = 0;
    bool dot = false;
    while (i < s.size())
    {
        std::size_t start = i;
        while (i < s.size() && (is_alpha(s[i]) || is_digit(s[i]) || s[i] == '-'))
            ++i;
        if (i == start)
            break;
        if (dot)
            last_good = i;
        if (i < s.size() && s[i] == '.')
        {
            dot = true;
            ++i;
        }
        else
            break;
    }
    return last_good;
}

class text_redactor
{
public:
    text_redactor(std::string_view in, std::string& out) : in_(in), out_(out) {}

    void run()
    {
        while (pos_ < in_.size())
        {
            char c = in_[pos_];
            if (!is_token_char(c))
            {
                out_.push_back(c);
                ++pos_;
                continue;
            }
            std::size_t start = pos_;
            while (pos_ < in_.size() && is_token_char(in_[pos_]))
                ++pos_;
            word(in_.substr(start, pos_ - start));
        }
    }

private:
    void word(std::string_view w)
    {
        // Email: the word is the local part.
        if (pos_ < in_.size() && in_[pos_] == '@')
        {
            std::size_t dlen = email_domain_len(in_.substr(pos_ + 1));
            if (dlen > 0)
            {
                std::string email(w);
                email += in_.substr(pos_, dlen + 1);
                out_ += mask_email(email);
                pos_ += dlen + 1;
                return;
            }
        }
        if (istarts_with(w, "bearer") && w.size() == 6)
        {
            out_ += w;
            scheme_token(8);
            return;
        }
        if (istarts_with(w, "basic") && w.size() == 5)
        {
            out_ += w;
            scheme_token(12);
            return;
        }
        if (is_secret_field_name(w) && secret_field_value(w))
            return;
        if (has_key_prefix(w))
        {
            std::size_t plen = 0;
            for (auto p : key_prefixes)
                if (w.starts_with(p))
                    plen = p.size();
            if (w.size() >= plen + 8)
            {
                out_ += redacted;
                return;
            }
        }
        if (w.size() >= 40)
        {
            bool letter = false, digit = false;
            for (char c : w)
            {
                letter = letter || is_alpha(c);
                digit = digit || is_digit(c);
            }
            if (letter && digit)
            {
                out_ += redacted;
                return;
            }
        }
        out_ += w;
    }

    // After "Bearer"/"Basic": spaces, then a credential of at least min_len non-space bytes.
    void scheme_token(std::size_t min_len)
    {
        std::size_t i = pos_;
        while (i < in_.size() && (in_[i] == ' ' || in_[i] == '\t'))
            ++i;
        if (i == pos_)
            return;
        std::size_t start = i;
        while (i < in_.size() && !is_space(in_[i]) && in_[i] != '"' && in_[i] != '\'' && in_[i] != ',' &&
               in_[i] != ';' && in_[i] != '\\')
            ++i;
        if (i - start < min_len)
            return;
        out_ += in_.substr(pos_, start - pos_);
        out_ += redacted;
        pos_ = i;
    }

    // After a secret-named word: [quote] spaces (':' | '=') spaces [quote] value. Writes the
    // name, the separator and [redacted]; returns false (nothing consumed) if no value follows.
    bool secret_field_value(std::string_view name)
    {
        std::size_t i = pos_;
        if (i < in_.size() && (in_[i] == '"' || in_[i] == '\''))
            ++i;
        if (i < in_.size() && in_[i] == '\\' && i + 1 < in_.size() && in_[i + 1] == '"')
            i += 2; // escaped quote inside a JSON string: \"api_key\":\"...\"
        while (i < in_.size() && (in_[i] == ' ' || in_[i] == '\t'))
            ++i;
        if (i >= in_.size() || (in_[i] != ':' && in_[i] != '='))
            return false;
        ++i;
        while (i < in_.size() && (in_[i] == ' ' || in_[i] == '\t'))
            ++i;
        if (i >= in_.size() || in_[i] == '{' || in_[i] == '[')
            return false; // a structure: its own fields are scanned
        std::size_t value_start = i;
        std::size_t value_end;
        if (in_[i] == '\\' && i + 1 < in_.size() && in_[i + 1] == '"')
        {
            value_start = i + 2;
            value_end = in_.find("\\\"", value_start);
        }
        else if (in_[i] == '"' || in_[i] == '\'')
        {
            value_start = i + 1;
            value_end = value_start;
            while (value_end < in_.size() && in_[value_end] != in_[i])
                value_end += in_[value_end] == '\\' ? 2 : 1;
        }
        else
        {
            // Unquoted (query strings, headers, prose): up to a delimiter; spaces are kept in
            // the value so "Authorization: Bearer x" loses both words.
            value_end = i;
            while (value_end < in_.size() && in_[value_end] != '\n' && in_[value_end] != '\r' &&
                   in_[value_end] != ',' && in_[value_end] != ';' && in_[value_end] != '&' &&
                   in_[value_end] != '}' && in_[value_end] != ')' && in_[value_end] != '"' &&
                   in_[value_end] != '\'' && in_[value_end] != '<')
                ++value_end;
            while (value_end > i && is_space(in_[value_end - 1]))
                --value_end;
        }
        if (value_end == std::string_view::npos || value_end > in_.size())
            value_end = in_.size();
        out_ += name;
        out_ += in_.substr(pos_, value_start - pos_);
        if (value_end > value_start)
            out_ += redacted;
        pos_ = value_end;
        return true;
    }

    std::string_view in_;
    std::string& out_;
    std::size_t pos_ = 0;
};

} // namespace

bool is_email(std::string_view s) noexcept
{
    std::size_t at = s.find('@');
    if (at == 0 || at == std::string_view::npos || at + 1 >= s.size())
        return false;
    if (s.find('@', at + 1) != std::string_view::npos)
        return false;
    for (char c : s)
        if (is_space(c))
            return false;
    return true;
}

bool has_key_prefix(std::string_view s) noexcept
{
    for (auto p : key_prefixes)
        if (s.starts_with(p))
            return true;
    return false;
}

bool looks_secret(std::string_view s) noexcept
{
    if (s.empty())
        return false;
    for (char c : s)
        if (is_space(c) || c == '/')
            return false;
    return has_key_prefix(s) || s.size() >= 32;
}

std::string mask_secret(std::string_view raw)
{
    if (raw.size() <= 8)
        return "m:****";
    std::string out = "m:";
    out += raw.substr(0, utf8_prefix_len(raw, 4));
    out += "...";
    out += raw.substr(utf8_suffix_pos(raw, 4));
    return out;
}

std::string mask_source(std::string_view raw)
{
    std::string_view s = trim(raw);
    if (is_email(s))
        return mask_email(s);
    if (looks_secret(s))
        return mask_secret(s);
    return std::string(s);
}

std::string_view truncate_utf8(std::string_view s, std::size_t max_bytes) noexcept
{
    if (s.size() <= max_bytes)
        return s;
    std::size_t cut = max_bytes;
    while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80)
        --cut;
    return s.substr(0, cut);
}

std::string redact_text(std::string_view text, std::size_t max_bytes)
{
    std::string out;
    std::string_view in = truncate_utf8(trim(text), max_scan_bytes);
    out.reserve(in.size() < max_bytes ? in.size() : max_bytes + 16);
    text_redactor(in, out).run();
    out.resize(truncate_utf8(out, max_bytes).size());
    while (!out.empty() && is_space(out.back())) // as `cut` in parse_record.cpp: reads back the same
        out.pop_back();
    return out;
}

bool is_secret_json_key(std::string_view key) noexcept
{
    if (key.size() > 64)
        return false;
    char buf[64];
    for (std::size_t i = 0; i < key.size(); ++i)
        buf[i] = key[i] == '-' ? '_' : lower(key[i]);
    std::string_view n(buf, key.size());
    static constexpr std::array<std::string_view, 9> exact = {
        "api_key",
        "apikey",
        "authorization",
        "cookie",
        "set_cookie",
        "access_token",
        "refresh_token",
        "id_token",
        "token"};
    for (auto e : exact)
        if (n == e)
            return true;
    return n.find("secret") != std::string_view::npos;
}

void redact_json_keys(boost::json::value& v)
{
    if (auto* o = v.if_object())
    {
        for (auto& kv : *o)
        {
            if (is_secret_json_key(kv.key()))
                kv.value() = redacted;
            else
                redact_json_keys(kv.value());
        }
    }
    else if (auto* a = v.if_array())
    {
        for (auto& e : *a)
            redact_json_keys(e);
    }
}

} // namespace cpamd::usage
