#pragma once

// A projection row's histogram as a statement parameter: its encoding, NULL when it has no sample.

#include <cpamd/store/latency_histogram.hpp>
#include <cpamd/store/sqlite.hpp>

namespace cpamd::store
{

inline void bind_histogram(statement& s, int i, const latency_histogram& h)
{
    if (h.empty())
    {
        s.bind_null(i);
        return;
    }
    auto bytes = h.encode();
    s.bind_blob(i, bytes.data(), bytes.size());
}

} // namespace cpamd::store
