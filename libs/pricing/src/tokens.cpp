#include <algorithm>
#include <cpamd/pricing/tokens.hpp>

namespace cpamd::pricing
{

segment_tokens& segment_tokens::operator+=(const segment_tokens& o) noexcept
{
    prompt += o.prompt;
    cached += o.cached;
    cache_read += o.cache_read;
    cache_creation += o.cache_creation;
    output += o.output;
    reasoning += o.reasoning;
    return *this;
}

segment_tokens segments_of(const request_tokens& t) noexcept
{
    auto pos = [](std::int64_t v) { return std::max<std::int64_t>(v, 0); };
    segment_tokens s;
    s.cached = pos(t.cached);
    s.cache_read = pos(t.cache_read);
    s.cache_creation = pos(t.cache_creation);
    // max(input - (cached + cache_read) - cache_creation, 0), taken one bucket at a time so that
    // no intermediate sum can overflow whatever the counters are.
    std::int64_t prompt = pos(t.input);
    for (std::int64_t bucket : {s.cached, s.cache_read, s.cache_creation})
        prompt -= std::min(prompt, bucket);
    s.prompt = prompt;
    s.output = pos(t.output);
    s.reasoning = pos(t.reasoning);
    return s;
}

} // namespace cpamd::pricing
