#pragma once

// Short ways to write prices in the pricing tests.

#include <cpamd/pricing/model_price.hpp>

namespace cpamd::pricing::test
{

inline rate set(double per_million)
{
    return {per_million, true};
}

// prompt and completion configured, the cache rates left unset (their fallbacks apply).
inline rate_set prompt_completion(double prompt, double completion)
{
    rate_set r;
    r.prompt = set(prompt);
    r.completion = set(completion);
    return r;
}

inline model_price price_of(rate_set rates)
{
    model_price p;
    p.rates = rates;
    return p;
}

} // namespace cpamd::pricing::test
