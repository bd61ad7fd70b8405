#include <algorithm>
#include <cpamd/usage/normalize_tokens.hpp>

namespace cpamd::usage
{

namespace
{

std::int64_t pos(std::int64_t v) noexcept
{
    return v > 0 ? v : 0;
}

bool iequals(std::string_view a, std::string_view b) noexcept
{
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i)
    {
        char x = a[i];
        if (x >= 'A' && x <= 'Z')
            x = static_cast<char>(x - 'A' + 'a');
        if (x != b[i])
            return false;
    }
    return true;
}

} // namespace

std::string_view to_string(token_semantics s) noexcept
{
    switch (s)
    {
    case token_semantics::breakdown_v2:
        return "breakdown_v2";
    case token_semantics::openai:
        return "openai";
    case token_semantics::gemini:
        return "gemini";
    case token_semantics::claude:
        return "claude";
    }
    return "openai";
}

token_semantics semantics_for_provider(std::string_view p) noexcept
{
    if (iequals(p, "claude") || iequals(p, "anthropic"))
        return token_semantics::claude;
    if (iequals(p, "gemini") || iequals(p, "gemini-cli") || iequals(p, "vertex") || iequals(p, "aistudio") ||
        iequals(p, "antigravity"))
        return token_semantics::gemini;
    return token_semantics::openai;
}

cost_tokens cost_from_flat(const token_counts& t, token_semantics s) noexcept
{
    cost_tokens c;
    // cached_tokens duplicates cache_read_tokens: fall back to it only for records that predate
    // cache_read_tokens, never add the two.
    c.cache_read = t.cache_read > 0 ? t.cache_read : std::max(pos(t.cached), pos(t.cache));
    c.cache_write = pos(t.cache_creation);
    c.reasoning = pos(t.reasoning);
    switch (s)
    {
    case token_semantics::claude:
        c.input_uncached = pos(t.input);
        c.output = pos(t.output);
        break;
    case token_semantics::gemini:
        c.input_uncached = pos(t.input - std::min(t.input, saturating_add(c.cache_read, c.cache_write)));
        c.output = saturating_add(pos(t.output), c.reasoning);
        break;
    case token_semantics::openai:
    case token_semantics::breakdown_v2:
        c.input_uncached = pos(t.input - std::min(t.input, saturating_add(c.cache_read, c.cache_write)));
        c.output = pos(t.output);
        break;
    }
    return c;
}

cost_tokens cost_from_breakdown(const token_breakdown_v2& b) noexcept
{
    cost_tokens c;
    c.input_uncached = pos(b.uncached);
    c.cache_read = pos(b.cache_read);
    c.cache_write = pos(b.cache_write);
    c.output = pos(b.output_total);
    c.reasoning = pos(b.reasoning);
    return c;
}

std::int64_t compat_cached_tokens(const token_counts& t) noexcept
{
    std::int64_t c = std::max(t.cached, t.cache);
    std::int64_t f = saturating_add(pos(t.cache_read), pos(t.cache_creation));
    return c > f ? c - f : 0;
}

} // namespace cpamd::usage
